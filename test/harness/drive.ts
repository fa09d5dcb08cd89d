import type { Fleet } from './fleet.js';

/**
 * P's value, simulated time advanced (50 ms steps, up to 10 min of it) until P settles: an
 * operation run on a fleet's deterministic clock waits for timers that only advancing fires.
 */
export async function drive<T>(fleet: Fleet, p: Promise<T>): Promise<T> {
  let done = false;
  let value: T | undefined;
  void p.then((v) => {
    done = true;
    value = v;
  });
  await fleet.until(() => done, 'the operation', 600_000, 50);
  return value as T;
}
