import { describe, expect, it } from 'vitest';
import { jitteredMs, respawnDelayMs, retryDelayMs } from '../../../agent/core/delays.js';

describe('delays', () => {
  it('retries a failed start after 10 s, 20 s, 40 s … never more than the maximum, never at once', () => {
    expect([0, 1, 2, 3, 10, 100].map((n) => retryDelayMs(n, 10_000, 600_000))).toEqual([0, 10_000, 20_000, 40_000, 600_000, 600_000]);
  });
  it('respawns a watcher after 250 ms, doubling to the maximum', () => {
    expect([1, 2, 3, 10].map((n) => respawnDelayMs(n, 30_000))).toEqual([250, 500, 1_000, 30_000]);
  });
  it('re-checks deferred domUs at 300 s ± 60 s (as xen-drbd-auto did)', () => {
    expect(jitteredMs(300_000, 60_000, 0)).toBe(240_000);
    expect(jitteredMs(300_000, 60_000, 0.5)).toBe(300_000);
    expect(jitteredMs(300_000, 60_000, 1)).toBe(360_000);
  });
});
