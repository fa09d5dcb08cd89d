import type { Clock } from '../../shared/clock/clock.js';

/**
 * A manual clock for cores that arm thousands of timers (one per link): timers in a Map, sorted
 * once per advance. The simulator's deterministic clock re-sorts its list for every timer it
 * fires, which is fine for a fleet and quadratic for a flood.
 */
export function floodClock(start: number): Clock & { advance(ms: number): void; readonly armed: number } {
  let now = start;
  let seq = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const schedule = (ms: number, fn: () => void): (() => void) => {
    const id = seq++;
    timers.set(id, { at: now + Math.max(0, ms), fn });
    return () => void timers.delete(id);
  };
  return {
    now: () => now,
    schedule,
    sleep: (ms) => new Promise<void>((r) => void schedule(ms, r)),
    advance(ms) {
      const end = now + ms;
      for (;;) {
        const due = [...timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at || a[0] - b[0]);
        if (due.length === 0) break;
        for (const [id, t] of due) {
          if (!timers.delete(id)) continue;
          now = Math.max(now, t.at);
          t.fn();
        }
      }
      now = end;
    },
    get armed() {
      return timers.size;
    },
  };
}
