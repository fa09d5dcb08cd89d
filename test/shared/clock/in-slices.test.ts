import { describe, expect, it } from 'vitest';
import type { Clock } from '../../../shared/clock/clock.js';
import { inSlices, STOP_SLICES } from '../../../shared/clock/in-slices.js';

/** A clock whose deferred work runs only when the test says: soon() if given, else 0 ms timers. */
function heldClock(withSoon: boolean): Clock & { held: Array<() => void>; next(): boolean } {
  const held: Array<() => void> = [];
  const c: Clock & { held: Array<() => void>; next(): boolean } = {
    held,
    now: () => 0,
    schedule: (_ms, fn) => {
      held.push(fn);
      return () => undefined;
    },
    sleep: () => Promise.resolve(),
    next: () => {
      const f = held.shift();
      f?.();
      return f !== undefined;
    },
  };
  if (withSoon) c.soon = (fn) => void held.push(fn);
  return c;
}

/** How many items were seen after the first slice, then after each held turn the clock runs. */
function countsPerTurn(clock: ReturnType<typeof heldClock>, seen: readonly unknown[]): number[] {
  const counts = [seen.length];
  while (clock.next()) counts.push(seen.length);
  return counts;
}

describe('inSlices', () => {
  for (const withSoon of [true, false]) {
    it(`calls every item once, in order, PER at a time with the loop free between (${withSoon ? 'soon' : '0 ms timer'})`, () => {
      const clock = heldClock(withSoon);
      const seen: number[] = [];
      inSlices(clock, Array.from({ length: 250 }, (_, i) => i), 100, (i) => seen.push(i));
      expect(seen).toHaveLength(100);
      const perTurn = countsPerTurn(clock, seen);
      expect(perTurn).toEqual([100, 200, 250]);
      expect(seen).toEqual(Array.from({ length: 250 }, (_, i) => i));
    });
  }

  it('an empty list or a slice size below 1 still ends, one item a turn at least', () => {
    const clock = heldClock(true);
    inSlices(clock, [], 10, () => expect.unreachable());
    expect(clock.held).toHaveLength(0);
    const seen: string[] = [];
    inSlices(clock, ['a', 'b'], 0, (x) => seen.push(x));
    expect(seen).toEqual(['a']);
    clock.next();
    expect(seen).toEqual(['a', 'b']);
    expect(clock.held).toHaveLength(0);
  });

  it('with a time limit, a slice ends once that long has passed, whatever its count', () => {
    const clock = heldClock(true);
    let t = 0;
    clock.now = () => t;
    const seen: number[] = [];
    // each item takes 0.4 ms: the third passes 1 ms, so the slice ends after it
    inSlices(clock, Array.from({ length: 8 }, (_, i) => i), { per: 100, ms: 1 }, (i) => {
      seen.push(i);
      t += 0.4;
    });
    const perTurn = countsPerTurn(clock, seen);
    expect(perTurn).toEqual([3, 6, 8]);
    expect(seen).toEqual(Array.from({ length: 8 }, (_, i) => i));
  });

  it('the count still bounds a slice whose items take no time', () => {
    const clock = heldClock(true);
    const seen: number[] = [];
    inSlices(clock, Array.from({ length: 5 }, (_, i) => i), { per: 2, ms: 1 }, (i) => seen.push(i));
    const perTurn = countsPerTurn(clock, seen);
    expect(perTurn).toEqual([2, 4, 5]);
  });

  it('walks a generator as it goes, one item ahead, and calls done once after the last', () => {
    const clock = heldClock(true);
    const made: number[] = [];
    function* items(): Generator<number> {
      for (let i = 0; i < 5; i++) {
        made.push(i);
        yield i;
      }
    }
    const seen: number[] = [];
    let done = 0;
    inSlices(clock, items(), 2, (i) => seen.push(i), () => done++);
    expect(seen).toEqual([0, 1]);
    expect(made).toEqual([0, 1, 2]);
    expect(countsPerTurn(clock, seen)).toEqual([2, 4, 5]);
    expect(done).toBe(1);
    inSlices(clock, [], 2, () => expect.unreachable(), () => done++);
    expect(done).toBe(2);
    expect(clock.held).toHaveLength(0);
  });

  it('ends where fn says STOP_SLICES: no more items, no done', () => {
    const clock = heldClock(true);
    const seen: number[] = [];
    inSlices(
      clock,
      Array.from({ length: 10 }, (_, i) => i),
      3,
      (i) => {
        seen.push(i);
        return i === 4 ? STOP_SLICES : undefined;
      },
      () => expect.unreachable(),
    );
    expect(countsPerTurn(clock, seen)).toEqual([3, 5]);
    expect(clock.held).toHaveLength(0);
  });
});
