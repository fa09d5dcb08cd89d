import type { Clock } from './clock.js';

/** How much of one turn of the event loop a slice may take. */
export interface SliceLimit {
  /** items at most */
  readonly per: number;
  /** and no more items once this long has passed on the clock (the item running then finishes) */
  readonly ms?: number;
}

/** What fn returns to end the walk where it is: no more items, no `done` (anything else goes on). */
export const STOP_SLICES: unique symbol = Symbol('stop the slices');

/**
 * Calls fn on each item, a slice at a time, with the event loop free between slices: a sweep
 * over thousands of agent links (a JSON message and a TLS write each) would otherwise hold the
 * loop for tens of milliseconds, and every request arriving meanwhile would wait for all of it.
 * A count alone does not bound the time: on a busy machine 100 TLS writes took 15–20 ms, so a
 * caller that serves requests meanwhile gives a time limit too. ITEMS may be any iterable, a
 * generator computing each item as it is reached included (it is asked one item ahead, to know
 * whether another turn is needed); `done` runs once the last item has been handled.
 */
export function inSlices<T>(clock: Clock, items: Iterable<T>, limit: number | SliceLimit, fn: (item: T) => unknown, done?: () => void): void {
  const { per, ms = Infinity } = typeof limit === 'number' ? { per: limit } : limit;
  const it = items[Symbol.iterator]();
  let next = it.next();
  const step = (): void => {
    const until = clock.now() + ms;
    for (let n = 0; next.done !== true && n < Math.max(1, per); n++) {
      const item = next.value;
      next = it.next();
      if (fn(item) === STOP_SLICES) return;
      if (clock.now() >= until) break;
    }
    if (next.done === true) return done?.();
    if (clock.soon) clock.soon(step);
    else clock.schedule(0, step);
  };
  step();
}
