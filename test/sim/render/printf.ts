/** The few printf conversions the real tools use, so renderers read like the C they mirror. */
export const left = (s: string, w: number): string => (s.length >= w ? s : s + ' '.repeat(w - s.length));
export const right = (s: string | number, w: number): string => {
  const t = String(s);
  return t.length >= w ? t : ' '.repeat(w - t.length) + t;
};
/** %W.Pf */
export const fixed = (n: number, w: number, p: number): string => right(n.toFixed(p), w);
