/**
 * When a xenstore run that failed for one domain id (a read of its start time, the write of this
 * Dom0's name into its area) is tried again: after 5, 20 and 60 s on the agent's clock, four tries
 * over 85 s for xenstored busy or restarting, and then every 10 minutes until it works or the id
 * changes, so a xenstored down for an hour costs six runs an hour and, once it is back, the work
 * gets done without restarting the agent. The giving up of the quick tries is said once.
 */
export const QUICK_RETRY_MS: readonly number[] = [5_000, 20_000, 60_000];
export const SLOW_RETRY_MS = 10 * 60_000;

/** the wait after the try numbered TRIES (from 1) failed */
export const retryWait = (tries: number): number => QUICK_RETRY_MS[tries - 1] ?? SLOW_RETRY_MS;

/** the try numbered TRIES was the last quick one: its failure is the one said */
export const lastQuickTry = (tries: number): boolean => tries === QUICK_RETRY_MS.length + 1;

/** the try numbered TRIES came after the quick tries were given up: its success is said too */
export const afterGivingUp = (tries: number): boolean => tries > QUICK_RETRY_MS.length + 1;

/** NEXT: a time the next try is due, or a word for none due (one out, or done) */
export interface Retried {
  readonly tries: number;
  readonly next: number | string | null;
}

export const isDue = (t: Retried, now: number): boolean => typeof t.next === 'number' && t.next <= now;

/** waiting for the slow period: the quick tries are over */
export const isSlow = (t: Retried): boolean => typeof t.next === 'number' && t.tries > QUICK_RETRY_MS.length;

/** the earliest try due among TS, null when none waits */
export function earliestDue(ts: Iterable<Retried>): number | null {
  const due = [...ts].flatMap((t) => (typeof t.next === 'number' ? [t.next] : []));
  return due.length === 0 ? null : Math.min(...due);
}
