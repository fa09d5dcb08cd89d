import { describe, expect, it } from 'vitest';
import { steadyClock, SLEW_PER_MS } from '../../shared/clock/steady-clock.js';
import { deterministicClock } from '../sim/daemon/clock.js';

const T0 = Date.UTC(2026, 11, 3, 12, 0, 0);

/** a machine: its monotonic clock, and a system clock that follows it plus whatever steps it took */
function machine() {
  let mono = 5_000;
  let stepped = 0;
  const base = deterministicClock(T0);
  const clock = steadyClock(() => T0 + mono + stepped, () => mono, base);
  const steps: number[] = [];
  clock.onStep((d) => steps.push(d));
  return {
    clock,
    steps,
    pass: (ms: number): void => void (mono += ms),
    step: (ms: number): void => void (stepped += ms),
    wall: (): number => T0 + mono + stepped,
  };
}

describe('the steady clock: intervals survive a step of the system clock', () => {
  it('is the system clock while nothing steps', () => {
    const m = machine();
    for (let i = 0; i < 100; i++) {
      m.pass(37);
      expect(m.clock.now()).toBe(m.wall());
    }
    expect(m.steps).toEqual([]);
  });

  it('a step forward does not move it: 10 s later it reads 10 s later, and the step is heard once', () => {
    const m = machine();
    const before = m.clock.now();
    m.step(10 * 60_000);
    m.pass(10_000);
    const after = m.clock.now();
    // 10 s passed, plus at most 0.5 % of them pulled toward the system clock
    expect(after - before).toBe(10_000 + 10_000 * SLEW_PER_MS);
    expect(m.steps).toEqual([10 * 60_000]);
    for (let i = 0; i < 1000; i++) {
      m.pass(1_000);
      m.clock.now();
    }
    expect(m.steps).toHaveLength(1);
  });

  it('a step back does not move it back either, and it never reads less than before', () => {
    const m = machine();
    let last = m.clock.now();
    m.step(-60 * 60_000);
    for (let i = 0; i < 500; i++) {
      m.pass(100);
      const n = m.clock.now();
      expect(n).toBeGreaterThanOrEqual(last);
      last = n;
    }
    expect(m.steps).toEqual([-60 * 60_000]);
  });

  it('catches up with the system clock by slewing, then follows it again', () => {
    const m = machine();
    m.clock.now();
    m.step(60_000);
    // 60 s at 0.5 % is caught up in 12,000 s
    for (let i = 0; i < 130; i++) {
      m.pass(100_000);
      m.clock.now();
    }
    expect(m.clock.now()).toBe(m.wall());
    m.pass(1);
    expect(m.clock.now()).toBe(m.wall());
    // a second step is heard again
    m.step(-5_000);
    m.pass(1);
    m.clock.now();
    expect(m.steps).toEqual([60_000, -5_000]);
  });

  it('its timers are the base clock\'s', async () => {
    const base = deterministicClock(T0);
    const clock = steadyClock(() => T0, () => 0, base);
    let fired = false;
    clock.schedule(1_000, () => void (fired = true));
    await base.advance(1_000);
    expect(fired).toBe(true);
  });
});
