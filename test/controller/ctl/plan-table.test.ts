import { describe, expect, it } from 'vitest';
import { planComplete, planText } from '../../../controller/ctl/plan-table.js';
import { leftover } from '../../../controller/plan/leftover-text.js';
import type { PlanOf } from '../../../shared/protocol/ctl-jobs.js';
import { PlanReadSchema } from '../../../shared/protocol/ctl-jobs-read.js';

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

describe('planText for a rebalance with homes that take no domUs now', () => {
  const closedHomes = [{ home: 'xen1', why: 'maintenance', names: ['a1', 'a2'], message: 'xen1 is in maintenance: 2 (a1, a2), `xenherdctl restore xen1` brings them home' }];
  const move = { name: 'c1', from: 'xen2', to: 'xen3', memMiB: 1024, vcpus: 1, why: 'balance' };

  it('says them under the table, one line per home; the plan stays complete (a rebalance does not move them)', () => {
    const p = PlanReadSchema.parse({ ...rebalance([]), sets: [[move]], scoreAfter: 1.2, closedHomes });
    expect(planText(p)).toBe(
      [
        'rebalance: 1 move(s) in 1 set(s), score 1.594 → 1.200',
        'SET  DOMU  FROM  TO    MEM       WHY',
        '1    c1    xen2  xen3  1024 MiB  balance',
        'away from homes that take none now, which a rebalance does not move (2):',
        '  xen1 is in maintenance: 2 (a1, a2), `xenherdctl restore xen1` brings them home',
        '',
      ].join('\n'),
    );
    expect(planComplete(p)).toBe(true);
  });

  it("an older controller's plan without them prints as it did; a newer one's reason word is read, its message shown", () => {
    expect(planText(PlanReadSchema.parse(rebalance([])))).toBe('rebalance: the fleet is balanced, nothing to move (score 1.594)\n');
    const newer = PlanReadSchema.parse({ ...rebalance([]), closedHomes: [{ ...closedHomes[0], why: 'retired', message: 'xen1 is retired: 2 (a1, a2)' }] });
    expect(planText(newer)).toContain('\n  xen1 is retired: 2 (a1, a2)\n');
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

describe('planText for a roll asked again', () => {
  const groups = [{ hosts: ['xen2'], domus: 2, memMiB: 3072 }];
  it('says per host what the roll does now: done hosts skipped and in no group, the others reboot or restore only', () => {
    const text = planText({
      kind: 'roll',
      groups: [{ hosts: ['xen2', 'xen3'], domus: 2, memMiB: 3072 }, { hosts: ['xen4'], domus: 1, memMiB: 512 }],
      leftovers: [],
      steps: [
        { host: 'xen1', step: 'done' },
        { host: 'xen2', step: 'reboot' },
        { host: 'xen3', step: 'restore' },
        { host: 'xen4', step: 'drain' },
      ],
    });
    expect(text).toBe(
      [
        'roll: 2 group(s), each drained, rebooted and restored in turn',
        'GROUP  TO DRAIN  MEM TO DRAIN  HOSTS',
        '1      2         3072 MiB      xen2,xen3',
        '2      1         512 MiB       xen4',
        'taken up where a roll of them stopped:',
        'HOST  GROUP  NOW',
        'xen1  -      skip: done (rolled before the roll stopped, still on that boot)',
        'xen2  1      reboot only (empty and in maintenance since the roll emptied it)',
        'xen3  1      restore only (rebooted since the roll emptied it)',
        'xen4  2      drain, reboot, restore',
        '',
      ].join('\n'),
    );
  });

  it('a group its restore alone is left for says what its counts are, not DOMUS 0: nothing to drain, its domUs come home', () => {
    const text = planText({ kind: 'roll', groups: [{ hosts: ['xen3'], domus: 0, memMiB: 0 }], leftovers: [], steps: [{ host: 'xen3', step: 'restore' }] });
    expect(text.split('\n').slice(1, 3)).toEqual(['GROUP  TO DRAIN  MEM TO DRAIN  HOSTS', '1      0         0 MiB         xen3']);
    expect(text).toContain('xen3  1      restore only (rebooted since the roll emptied it)\n');
  });

  it('a fresh roll (every host drained), or a controller that sends no steps: the groups alone', () => {
    const fresh = planText({ kind: 'roll', groups, leftovers: [], steps: [{ host: 'xen2', step: 'drain' }] });
    expect(fresh).toBe('roll: 1 group(s), each drained, rebooted and restored in turn\nGROUP  TO DRAIN  MEM TO DRAIN  HOSTS\n1      2         3072 MiB      xen2\n');
    expect(planText({ kind: 'roll', groups, leftovers: [] })).toBe(fresh);
  });

  it('a roll of 200 Dom0s: each group of 40 keeps its counts in the first columns, its hosts last', () => {
    const hosts = (g: number): string[] => Array.from({ length: 40 }, (_, i) => `xen${String(g + 5 * i + 1).padStart(3, '0')}`);
    const text = planText({ kind: 'roll', groups: [0, 1, 2, 3, 4].map((g) => ({ hosts: hosts(g), domus: 400, memMiB: 921_600 })), leftovers: [] });
    const rows = text.split('\n');
    expect(rows[1]).toBe('GROUP  TO DRAIN  MEM TO DRAIN  HOSTS');
    expect(rows[2]).toBe(`1      400       921600 MiB    ${hosts(0).join(',')}`);
  });
});
