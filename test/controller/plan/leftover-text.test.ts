import { describe, expect, it } from 'vitest';
import { describeBlocker } from '../../../controller/plan/leftover-text.js';

describe("a leftover's words", () => {
  it('a cooldown names the UTC minute it ends', () => {
    expect(describeBlocker('web1', { kind: 'cooldown', untilMs: Date.UTC(2026, 11, 5, 14, 2) })).toBe('web1 moved recently; rebalance leaves it where it is until 14:02 UTC (`xenherdctl reverse web1` brings it home now)');
  });

  it("a cooldown past what a Date holds (an agent's report of a move in year 275760) is said, not thrown on", () => {
    expect(describeBlocker('web1', { kind: 'cooldown', untilMs: 8.64e15 + 60_000 })).toMatch(/^web1 moved recently; rebalance leaves it where it is until a time no clock reads \(its agent reported the move at an impossible time\) \(`xenherdctl reverse web1`/);
  });
});
