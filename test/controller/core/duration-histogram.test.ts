import { describe, expect, it } from 'vitest';
import { DurationHistogram } from '../../../controller/core/duration-histogram.js';

describe('migration duration buckets', () => {
  it('cumulative counts by upper bound (a bound is inclusive), +Inf last, sum in seconds', () => {
    const h = new DurationHistogram([5, 60]);
    expect(h.snapshot()).toEqual({ buckets: [{ le: 5, count: 0 }, { le: 60, count: 0 }, { le: Infinity, count: 0 }], sumSeconds: 0, count: 0 });
    for (const ms of [5_000, 4_000, 60_001, 30_000, -1]) h.observe(ms);
    expect(h.snapshot()).toEqual({ buckets: [{ le: 5, count: 3 }, { le: 60, count: 4 }, { le: Infinity, count: 5 }], sumSeconds: 99.001, count: 5 });
  });
});
