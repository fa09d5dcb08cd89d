/**
 * The word of KNOWN that WORD was most likely meant to be, or null: one differing only in case,
 * else the closest within two edits (a letter added, dropped, changed, or two neighbours swapped),
 * and never more edits than half of WORD's length, so "x" suggests nothing. Among words equally
 * close, the first of KNOWN is named. Used for "did you mean" hints: it only names, never applies.
 */
export function nearestWord(word: string, known: Iterable<string>): string | null {
  const all = [...known];
  const lower = word.toLowerCase();
  const sameButCase = all.find((k) => k !== word && k.toLowerCase() === lower);
  if (sameButCase !== undefined) return sameButCase;
  const most = Math.min(2, Math.floor(word.length / 2));
  let best: string | null = null;
  let bestDistance = most + 1;
  for (const k of all) {
    if (k === word || Math.abs(k.length - word.length) > most) continue;
    const d = editDistance(lower, k.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return best;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  const at = (i: number, j: number): number => rows[i]?.[j] ?? Number.MAX_SAFE_INTEGER;
  for (let i = 1; i <= a.length; i++) {
    const row = rows[i] as number[];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, at(i - 2, j - 2) + 1);
      row[j] = d;
    }
  }
  return at(a.length, b.length);
}
