/**
 * A DRBD 9 `done:` field (printf `%.2f` of a sync's progress), as drbdsetup status and events2
 * print it: the percentage; null when it is unknown; undefined when TEXT is not a number at all.
 * printf prints nan/-nan/inf when a device size is 0. drbdsetup computes the figure from counters
 * that can disagree for a moment (more blocks out of sync than the sync's total), and then prints
 * values below 0 or far above 100: also unknown, not a reason to drop the line's other states.
 */
export function drbdDonePercent(text: string): number | null | undefined {
  if (/^-?(nan|inf)$/i.test(text)) return null;
  if (!/^-?\d{1,30}\.\d{2}$/.test(text)) return undefined;
  const n = Number(text);
  return n >= 0 && n <= 100 ? n : null;
}
