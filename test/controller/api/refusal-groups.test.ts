import { describe, expect, it } from 'vitest';
import { OVERFLOW_KEY, RefusalGroups } from '../../../controller/api/refusal-groups.js';

describe('RefusalGroups', () => {
  it('logs the first of a kind per window and counts the rest until the window ends', () => {
    const g = new RefusalGroups<string>(60_000, 'overflow');
    expect(g.note('a', 0, 'first')).toBe(true);
    expect(g.note('a', 10, 'second')).toBe(false);
    expect(g.note('b', 20, 'other')).toBe(true);
    expect(g.note('a', 59_999, 'third')).toBe(false);
    expect(g.nextEnd()).toBe(60_000);
    expect(g.ended(59_999)).toEqual([]);
    // b counted nothing beyond its first, so it has nothing to report
    expect(g.ended(60_020)).toEqual([{ key: 'a', detail: 'first', more: 2, since: 0 }]);
    expect(g.nextEnd()).toBeNull();
    expect(g.note('a', 60_030, 'again')).toBe(true);
  });

  it('a window noticed as ended by note() keeps its count for ended()', () => {
    const g = new RefusalGroups<string>(1_000, 'overflow');
    g.note('a', 0, 'x');
    g.note('a', 1, 'x');
    expect(g.note('a', 5_000, 'y')).toBe(true);
    expect(g.ended(5_000)).toEqual([{ key: 'a', detail: 'x', more: 1, since: 0 }]);
    expect(g.ended(Infinity)).toEqual([]);
  });

  it('keeps at most maxGroups windows open: past that, new keys count in one overflow group, none logged', () => {
    const g = new RefusalGroups<string>(1_000, 'overflow', 3);
    expect(['a', 'b', 'c'].map((k) => g.note(k, 0, k))).toEqual([true, true, true]);
    expect(g.note('d', 10, 'd')).toBe(false);
    expect(g.note('e', 20, 'e')).toBe(false);
    // a key already open is still counted in its own group
    expect(g.note('a', 30, 'a')).toBe(false);
    expect(g.ended(1_010)).toEqual([
      { key: 'a', detail: 'a', more: 1, since: 0 },
      { key: OVERFLOW_KEY, detail: 'overflow', more: 2, since: 10 },
    ]);
    // once windows have ended, new keys have room again
    expect(g.note('f', 2_000, 'f')).toBe(true);
  });
});
