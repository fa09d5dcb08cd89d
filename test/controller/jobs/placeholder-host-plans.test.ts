import { describe, expect, it } from 'vitest';
import { ControllerCore } from '../../../controller/core/controller-core.js';
import { memoryLogger } from '../../harness/memory-log.js';
import { deterministicClock } from '../../sim/daemon/clock.js';
import { SETTINGS, T0 } from './jobs-bed.js';
import { SimFleet, type SimSpec } from './sim-fleet.js';
import type { PlanRequest } from '../../../shared/protocol/ctl-jobs.js';

/** a* share DRBD with xen2, which is enrolled and powered off (never heard from); b* with xen3, which reports. */
const SPEC: SimSpec = {
  hosts: [{ name: 'xen1' }, { name: 'xen3' }],
  domus: [
    { name: 'a1', home: 'xen1', replicas: ['xen1', 'xen2'], memMiB: 1024 },
    { name: 'b1', home: 'xen1', replicas: ['xen1', 'xen3'], memMiB: 1024 },
  ],
};

async function withPlaceholder(): Promise<ControllerCore> {
  const clock = deterministicClock(T0);
  const { log } = memoryLogger(clock, 'xenherd-controller');
  const enrolled: ReadonlySet<string> = new Set(['xen1', 'xen2', 'xen3']);
  let n = 0;
  const core = new ControllerCore({ clock, log, newId: () => `id-${++n}`, settings: SETTINGS, jobs: { quietMs: 500 }, identity: 'ctl-a', enrolled: () => enrolled });
  new SimFleet(clock, SPEC).connectAll(core);
  await clock.advance(5_000);
  return core;
}

describe('plans with an enrolled host that never reported (a placeholder record)', () => {
  it('a drain plans no move onto it: the domU whose only replica is there is blocked, the other moves', async () => {
    const core = await withPlaceholder();
    expect(core.hosts().hosts.map((h) => [h.host, h.reported])).toEqual([['xen1', true], ['xen2', false], ['xen3', true]]);
    const plan = await core.hub.plan({ kind: 'drain', hosts: ['xen1'], maxParallel: null });
    if (!plan.ok || plan.value.kind !== 'drain') throw new Error('no drain plan');
    expect(plan.value.sets.flat().map((m) => [m.name, m.to])).toEqual([['b1', 'xen3']]);
    expect(plan.value.leftovers.map((l) => [l.name, l.blocker])).toEqual([['a1', { kind: 'targets-unavailable', targets: [{ host: 'xen2', why: 'not-reported' }] }]]);
  });

  it('a rebalance, a restore and a drain of the placeholder itself plan without a crash and move nothing onto it', async () => {
    const core = await withPlaceholder();
    const asked: PlanRequest[] = [{ kind: 'rebalance', maxMoves: null }, { kind: 'restore', host: 'xen2' }, { kind: 'drain', hosts: ['xen2'], maxParallel: null }];
    for (const req of asked) {
      const plan = await core.hub.plan(req);
      const moves = plan.ok && 'sets' in plan.value ? plan.value.sets.flat() : [];
      expect(JSON.stringify(moves)).not.toMatch(/"to":"xen2"/);
    }
  });
});
