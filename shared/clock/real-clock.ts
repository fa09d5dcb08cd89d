import type { Clock } from './clock.js';
import { oneEachTurn } from './one-each-turn.js';
import { steadyClock, type SteadyClock } from './steady-clock.js';

// The one place production code reads the wall clock and arms Node timers.

/** setTimeout fires at once for delays above 2^31-1 ms (about 24.8 days): longer waits are chained. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export const realClock: Clock = {
  now: () => Date.now(),
  schedule(ms, fn) {
    let handle: NodeJS.Timeout | null = null;
    let cancelled = false;
    const arm = (left: number): void => {
      handle = setTimeout(() => {
        if (cancelled) return;
        if (left > MAX_TIMER_MS) arm(left - MAX_TIMER_MS);
        else fn();
      }, Math.min(Math.max(0, left), MAX_TIMER_MS));
    };
    arm(ms);
    return () => {
      cancelled = true;
      if (handle !== null) clearTimeout(handle);
    };
  },
  sleep: (ms) => new Promise<void>((resolve) => void realClock.schedule(ms, resolve)),
  soon: oneEachTurn((fn) => void setImmediate(fn)),
};

export const realRandom = (): number => Math.random();

/** The real clock for the controller's serve: intervals on the monotonic clock (see steady-clock.ts). */
export const steadyRealClock = (): SteadyClock => steadyClock(() => Date.now(), () => performance.now(), realClock);
