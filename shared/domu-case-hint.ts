import { printable } from './text/printable.js';

const SHOWN = 5;

/**
 * " (domU names are case-sensitive: did you mean web1?)" for NAMES, the domUs that differ from what
 * was asked only in case; '' when there are none. xl and DRBD take a domU's name exactly, so
 * xenherd never guesses: it says which names were meant.
 */
export function caseHintText(names: readonly string[]): string {
  if (names.length === 0) return '';
  const shown = names.slice(0, SHOWN).map((n) => printable(n));
  const list = names.length > SHOWN ? `${shown.join(', ')}, ... (${names.length} names)` : shown.length === 1 ? shown[0] : `${shown.slice(0, -1).join(', ')} or ${shown[shown.length - 1]}`;
  return ` (domU names are case-sensitive: did you mean ${list}?)`;
}

/** The hint for NAME among KNOWN: the names equal to it but for case, none when NAME itself is known. */
export function domuCaseHint(name: string, known: Iterable<string>): string {
  const all = [...new Set(known)];
  if (all.includes(name)) return '';
  const lower = name.toLowerCase();
  return caseHintText(all.filter((n) => n.toLowerCase() === lower).sort());
}
