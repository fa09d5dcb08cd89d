/** "812 KiB", "37 MiB", "4.2 GiB": a size as df -h would round it, in powers of 1024. */
export function byteSizeText(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = Math.max(0, bytes);
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  const shown = u === 0 || v >= 10 ? String(Math.round(v)) : v.toFixed(1);
  return `${shown} ${units[u] ?? 'B'}`;
}
