import { findDuplicateKey } from '../../shared/json-duplicate-keys.js';

/**
 * A key a tool printed twice in one object (`xl info`, `xm info`, `drbdadm --version`, a
 * `drbdadm status` object, a /proc/drbd counters line). None of these tools prints a key twice:
 * each comes from one printf of one field. Two equal lines say the same and may pass; two values
 * mean output that is not one answer of the tool (two runs joined, a wrapper script adding its
 * own line), and keeping either, as a plain record keeps the last, would decide on a value the
 * tool may never have meant. The parsers refuse it naming the key, in these words.
 */
export function repeatedKey(key: string, earlier: string | undefined, value: string): string | null {
  if (earlier === undefined || earlier === value) return null;
  return `each key once, ${JSON.stringify(key)} repeats with another value (${JSON.stringify(earlier)}, then ${JSON.stringify(value)})`;
}

/**
 * The same for a tool's JSON (`drbdsetup status --json`), which JSON.parse would
 * read keeping the last of two: any key twice in one object is refused, as the JSON files the
 * agent reads are, since JSON.parse has already dropped the value to compare. TEXT parsed as JSON.
 */
export function jsonRepeatedKey(text: string): { readonly line: number; readonly text: string; readonly expected: string } | null {
  const d = findDuplicateKey(text);
  if (d === null) return null;
  const where = [...d.path, d.key].join('.');
  return { line: d.line, text: text.split('\n')[d.line - 1] ?? '', expected: `each key once in an object, ${JSON.stringify(where)} appears twice (lines ${d.firstLine} and ${d.line})` };
}
