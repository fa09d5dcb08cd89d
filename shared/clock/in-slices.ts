import type { Clock } from './clock.js';

/** How much of one turn of the event loop a slice may take. */
export interface SliceLimit {
  /** items at most */
  readonly per: number;
  /** and no more items once this long has passed on the clock (the item running then finishes) */
  readonly ms?: number;
}

/**
 * Calls fn on each item, a slice at a time, with the event loop free between slices: a sweep
 * over thousands of agent links (a JSON message and a TLS write each) would otherwise hold the
 * loop for tens of milliseconds, and every request arriving meanwhile would wait for all of it.
 * A count alone does not bound the time: on a busy machine 100 TLS writes took 15–20 ms, so a
 * caller that serves requests meanwhile gives a time limit too.
 */
export function inSlices<T>(clock: Clock, items: readonly T[], limit: number | SliceLimit, fn: (item: T) => void): void {
  const { per, ms = Infinity } = typeof limit === 'number' ? { per: limit } : limit;
  let i = 0;
  const step = (): void => {
    const until = clock.now() + ms;
    for (const end = Math.min(items.length, i + Math.max(1, per)); i < end; ) {
      fn(items[i++] as T);
      if (clock.now() >= until) break;
    }
    if (i >= items.length) return;
    if (clock.soon) clock.soon(step);
    else clock.schedule(0, step);
  };
  step();
}
