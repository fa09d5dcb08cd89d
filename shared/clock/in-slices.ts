import type { Clock } from './clock.js';

/**
 * Calls fn on each item, `per` at a time, with the event loop free between slices: a sweep over
 * thousands of agent links (a JSON message and a TLS write each) would otherwise hold the loop
 * for tens of milliseconds, and every request arriving meanwhile would wait for all of it.
 */
export function inSlices<T>(clock: Clock, items: readonly T[], per: number, fn: (item: T) => void): void {
  let i = 0;
  const step = (): void => {
    for (const end = Math.min(items.length, i + Math.max(1, per)); i < end; i++) fn(items[i] as T);
    if (i >= items.length) return;
    if (clock.soon) clock.soon(step);
    else clock.schedule(0, step);
  };
  step();
}
