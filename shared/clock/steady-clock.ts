import type { Clock } from './clock.js';

/**
 * A clock for a long-running process that measures intervals on its own time (how long an agent
 * has been silent, how old an answer is, how long an alert's condition has stood): `now()` runs at
 * the pace of the monotonic clock and is only pulled toward the system clock, by at most
 * SLEW_PER_MS of the time elapsed, as ntpd slews. A step of the system clock (NTP correcting it,
 * `date -s`) therefore never makes an interval jump: stepped forward by ten minutes, the system
 * clock would have every agent link look silent for ten minutes at once; stepped back, a dead
 * Dom0 would look fresh for as long. Everyday drift, which NTP corrects far more slowly than this
 * slew, is followed within a millisecond. The times such a clock prints differ from the system
 * clock after a step until the slew has caught up (listeners hear of the step to say so).
 * Timers are the base clock's: Node's timers run on the monotonic clock already.
 */
export interface SteadyClock extends Clock {
  /** FN hears the difference (system clock minus this clock, ms) each time a step opens one over STEP_NOTICE_MS */
  onStep(fn: (differenceMs: number) => void): void;
}

/** 0.5 %: a 10 min step is caught up within 2,000 min; NTP's own slew is at most 0.05 % */
export const SLEW_PER_MS = 0.005;
/** a difference below this is drift being followed, not a step worth a log line */
export const STEP_NOTICE_MS = 1_000;

/** WALL: the system clock (ms since the epoch); MONO: a monotonic clock (ms, any origin); BASE: timers */
export function steadyClock(wall: () => number, mono: () => number, base: Clock): SteadyClock {
  // fields of one object, not three variables: a fraction held in a closure's variable is boxed
  // anew at each write, and the controller reads this clock several times per agent message
  const at = {
    lastMono: mono(),
    t: wall(),
    /** the system clock minus this one after the last reading */
    open: 0,
  };
  const listeners: ((differenceMs: number) => void)[] = [];
  const now = (): number => {
    const m = mono();
    const elapsed = Math.max(0, m - at.lastMono);
    at.lastMono = m;
    const difference = wall() - (at.t + elapsed);
    // between two readings the difference moves only by a step of the system clock (drift is far
    // below a second between readings of a running server)
    if (Math.abs(difference - at.open) > STEP_NOTICE_MS) for (const fn of listeners) fn(Math.round(difference));
    const pull = Math.min(elapsed * SLEW_PER_MS, Math.abs(difference)) * Math.sign(difference);
    at.t += elapsed + pull;
    at.open = difference - pull;
    return Math.floor(at.t);
  };
  return {
    now,
    schedule: (ms, fn) => base.schedule(ms, fn),
    sleep: (ms) => base.sleep(ms),
    ...(base.soon ? { soon: base.soon } : {}),
    onStep: (fn) => void listeners.push(fn),
  };
}
