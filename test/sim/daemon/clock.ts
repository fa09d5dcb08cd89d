import type { Clock } from '../../../shared/clock/clock.js';

/**
 * The simulator's clock. Deterministic: time moves only in advance(ms), firing due timers in order
 * (ties by scheduling order). Real: time follows the wall clock from the start instant and timers
 * fire by setTimeout.
 */
export interface SimClock extends Clock {
  readonly mode: 'deterministic' | 'real';
  /** deterministic mode only: move time forward, firing timers; resolves after their effects settled */
  advance(ms: number): Promise<void>;
  stop(): void;
}

interface Timer { at: number; seq: number; fn: () => void }

const settle = async (): Promise<void> => {
  // let promise continuations (tool handlers waiting on sleep) run before the next timer
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
};

export function deterministicClock(start: number): SimClock {
  let now = start;
  let seq = 0;
  let timers: Timer[] = [];
  const schedule = (ms: number, fn: () => void): (() => void) => {
    // whole milliseconds, as Date.now() gives them: the protocols carry times as integers
    const t = { at: now + Math.max(0, Math.ceil(ms)), seq: seq++, fn };
    timers.push(t);
    return () => { timers = timers.filter((x) => x !== t); };
  };
  return {
    mode: 'deterministic',
    now: () => now,
    schedule,
    sleep: (ms) => new Promise<void>((r) => { schedule(ms, r); }),
    async advance(ms) {
      const end = now + Math.ceil(ms);
      await settle();
      for (;;) {
        timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
        const t = timers[0];
        if (!t || t.at > end) break;
        timers.shift();
        now = t.at;
        t.fn();
        await settle();
      }
      now = end;
      await settle();
    },
    stop() { timers = []; },
  };
}

export function realClock(start: number): SimClock {
  const t0 = performance.now();
  const handles = new Set<NodeJS.Timeout>();
  const schedule = (ms: number, fn: () => void): (() => void) => {
    const h = setTimeout(() => { handles.delete(h); fn(); }, Math.max(0, ms));
    handles.add(h);
    return () => { clearTimeout(h); handles.delete(h); };
  };
  return {
    mode: 'real',
    now: () => start + Math.round(performance.now() - t0),
    schedule,
    sleep: (ms) => new Promise<void>((r) => { schedule(ms, r); }),
    advance: () => Promise.reject(new Error('advance() needs the deterministic clock')),
    stop() { for (const h of handles) clearTimeout(h); handles.clear(); },
  };
}
