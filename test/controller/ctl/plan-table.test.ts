import { describe, expect, it } from 'vitest';
import { planComplete, planText } from '../../../controller/ctl/plan-table.js';
import { leftover } from '../../../controller/plan/leftover-text.js';
import type { PlanOf } from '../../../shared/protocol/ctl-jobs.js';

// A rebalance plan for people: "balanced" only when nothing stays away from its home.
const UNTIL = Date.parse('2026-12-03T08:52:00Z');
const rebalance = (leftovers: PlanOf<'rebalance'>['leftovers']): PlanOf<'rebalance'> => ({ kind: 'rebalance', sets: [], scoreBefore: 1.594, scoreAfter: 1.594, paused: null, leftovers });

describe('planText for a rebalance', () => {
  it('nothing to move and nothing away: balanced, complete', () => {
    expect(planText(rebalance([]))).toBe('rebalance: the fleet is balanced, nothing to move (score 1.594)\n');
    expect(planComplete(rebalance([]))).toBe(true);
  });

  it('a domU held away by its cooldown: listed with when and how to bring it home, not complete', () => {
    const p = rebalance([leftover('web1', 'xen2', { kind: 'cooldown', untilMs: UNTIL })]);
    expect(planText(p)).toBe(
      ['rebalance: nothing to move now (score 1.594)', 'stay away from home (1):', '  web1 moved recently; rebalance leaves it where it is until 08:52 UTC (`xenherdctl reverse web1` brings it home now)', ''].join('\n'),
    );
    expect(planComplete(p)).toBe(false);
  });
});

describe('planText for a drain held by DRBD', () => {
  const drain = (clearsUp: boolean, state: string): PlanOf<'drain'> => ({
    kind: 'drain',
    hosts: ['xen1'],
    sets: [],
    leftovers: [leftover('web1', 'xen1', { kind: 'drbd-not-ready', resource: 'r1', host: 'xen1', target: 'xen2', state, clearsUp, detail: `r1 on xen1 is ${state} (…)` })],
  });

  it('says whether the drain waits for it (and how long) or a person must act', () => {
    expect(planText(drain(true, 'SyncSource'))).toContain('  web1 cannot be moved to xen2: DRBD r1 on xen1 is SyncSource (…) (DRBD gets there by itself: drain and restore wait up to 5 min for it)\n');
    expect(planText(drain(false, 'StandAlone'))).toContain('  web1 cannot be moved to xen2: DRBD r1 on xen1 is StandAlone (…); then try again (a person must act: see README, section "DRBD split brain")\n');
  });
});
