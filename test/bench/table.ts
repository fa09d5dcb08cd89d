import { readFileSync } from 'node:fs';

/** One line of `npm run bench`'s table: what was measured, the figure, the target, pass or fail. */
export interface Row {
  readonly what: string;
  readonly measured: string;
  readonly target: string;
  readonly pass: boolean;
}

export const say = (t: string): void => void process.stderr.write(`${t}\n`);
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The p-th percentile (nearest rank) of xs. */
export function pct(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? NaN;
}

export const median = (xs: readonly number[]): number => pct(xs, 50);

export function printTable(rows: readonly Row[]): void {
  const cols = (r: Row): string[] => [r.what, r.measured, r.target];
  const w = [0, 1, 2].map((i) => Math.max(...[['what', 'measured', 'target'][i] as string, ...rows.map((r) => cols(r)[i] as string)].map((s) => s.length)));
  const line = (c: string[]): string => c.map((x, i) => x.padEnd(w[i] ?? 0)).join('  ');
  process.stdout.write(`${line(['what', 'measured', 'target'])}  result\n`);
  for (const r of rows) process.stdout.write(`${line(cols(r))}  ${r.pass ? 'pass' : 'FAIL'}\n`);
}

/** Resident memory of a process now, its peak so far, and of it what maps files (code, mostly the node binary's) (Linux /proc), in KiB. */
export function procMemory(pid: number): { rssKiB: number; hwmKiB: number; fileKiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string): number => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
  return { rssKiB: kib('VmRSS'), hwmKiB: kib('VmHWM'), fileKiB: kib('RssFile') };
}

/** CPU time (user + system, clock ticks) of a process so far. */
export function procCpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
}
