import { describe, expect, it } from 'vitest';
import { RefusalGroups } from '../../../controller/api/refusal-groups.js';

describe('RefusalGroups', () => {
  it('logs the first of a kind per window and counts the rest until the window ends', () => {
    const g = new RefusalGroups<string>(60_000);
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
    const g = new RefusalGroups<string>(1_000);
    g.note('a', 0, 'x');
    g.note('a', 1, 'x');
    expect(g.note('a', 5_000, 'y')).toBe(true);
    expect(g.ended(5_000)).toEqual([{ key: 'a', detail: 'x', more: 1, since: 0 }]);
    expect(g.ended(Infinity)).toEqual([]);
  });
});
