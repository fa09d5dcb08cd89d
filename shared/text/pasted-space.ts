/**
 * Said after "not a token/fingerprint" when the text only fails for a space, tab or line break
 * at its start or end: the usual leftover of copying a value out of a terminal, which the bare
 * "must be xh1.…" would not point at.
 */
export function pastedSpaceHint(text: string): string {
  return /^\s|\s$/.test(text) ? ' (it begins or ends with a space or line break: remove that)' : '';
}
