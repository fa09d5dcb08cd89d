/** "90" (seconds), "90s", "15m", "2h", "1h30m", "1d", "500ms" → milliseconds; null when not a duration. */
export function parseDuration(text: string): number | null {
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  if (!/^(\d+(\.\d+)?(ms|s|m|h|d))+$/.test(text)) return null;
  let total = 0;
  for (const m of text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)) total += Number(m[1]) * (unit[m[2] as string] as number);
  return Math.round(total);
}

/**
 * Why TEXT, given to --OPTION, is refused as a bare number, or null: "90" reads as seconds to
 * some and minutes to others, and a duration 60 times off stops a drain too early or pages
 * someone for nothing; the options that take a duration want its unit.
 */
export const bareNumberProblem = (option: string, text: string): string | null =>
  /^\d+(\.\d+)?$/.test(text) ? `--${option} ${JSON.stringify(text)} has no unit: write ${text}s, ${text}m or ${text}h` : null;

/** 75_000 → "1:15", 3_725_000 → "1:02:05" */
export function clockTime(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const two = (n: number): string => String(n).padStart(2, '0');
  const h = Math.floor(s / 3600);
  return h > 0 ? `${h}:${two(Math.floor(s / 60) % 60)}:${two(s % 60)}` : `${Math.floor(s / 60)}:${two(s % 60)}`;
}
