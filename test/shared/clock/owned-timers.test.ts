import { describe, expect, it } from 'vitest';
import { OwnedTimers } from '../../../shared/clock/owned-timers.js';
import { deterministicClock } from '../../sim/daemon/clock.js';

describe('OwnedTimers', () => {
  it('runs a timer once when due and forgets it', async () => {
    const clock = deterministicClock(1_000);
    const timers = new OwnedTimers(clock);
    const fired: number[] = [];
    timers.after(50, () => fired.push(clock.now()));
    expect(timers.size).toBe(1);
    await clock.advance(49);
    expect(fired).toEqual([]);
    await clock.advance(1);
    expect(fired).toEqual([1_050]);
    expect(timers.size).toBe(0);
  });

  it('cancelAll stops every pending timer; a single cancel stops only its own', async () => {
    const clock = deterministicClock(0);
    const timers = new OwnedTimers(clock);
    const fired: string[] = [];
    const cancelA = timers.after(10, () => fired.push('a'));
    timers.after(20, () => fired.push('b'));
    cancelA();
    expect(timers.size).toBe(1);
    await clock.advance(15);
    timers.after(5, () => fired.push('c'));
    timers.cancelAll();
    await clock.advance(100);
    expect(fired).toEqual([]);
    expect(timers.size).toBe(0);
  });
});
