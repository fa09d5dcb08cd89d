/** How long ago, for people: "0.3 s", "45 s", "12 min", "3 h", "2 d". */
export function formatAge(ms: number | null): string {
  if (ms === null) return 'never';
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 120_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 2 * 3_600_000) return `${Math.round(ms / 60_000)} min`;
  if (ms < 48 * 3_600_000) return `${Math.round(ms / 3_600_000)} h`;
  return `${Math.round(ms / 86_400_000)} d`;
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** A time in the operator's local zone: "14:02" today, "2024-05-01 14:02" otherwise; text that is not a time is kept. */
export function formatSince(iso: string | number, now: number): string {
  const t = typeof iso === 'number' ? iso : Date.parse(iso);
  if (Number.isNaN(t)) return iso.toString();
  const d = new Date(t);
  const today = new Date(now);
  const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  const sameDay = d.getFullYear() === today.getFullYear() && d.getMonth() === today.getMonth() && d.getDate() === today.getDate();
  return sameDay ? hm : `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${hm}`;
}

/**
 * Rows as columns two spaces apart (the last column is not padded). A cell longer than PADUPTO
 * does not widen its column: it runs on into the rest of its own row, which alone loses the
 * alignment, where one long cell (an ALARM's text, a STALE answer's reasons) would push every
 * other row's next column past the width of a terminal.
 */
export function table(rows: readonly (readonly string[])[], padUpTo = Infinity): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length <= padUpTo ? c.length : 0)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd()).join('\n') + (rows.length > 0 ? '\n' : '');
}
