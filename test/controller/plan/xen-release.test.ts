import { describe, expect, it } from 'vitest';
import { planDrain } from '../../../controller/plan/drain.js';
import { DEFAULT_POLICY } from '../../../controller/plan/policy.js';
import { planRebalance } from '../../../controller/plan/rebalance.js';
import { planRestore } from '../../../controller/plan/restore.js';
import { factsOf, type FleetSpec } from './plan-fleet.js';

// A live migration goes to the same Xen release (major.minor) or a newer one: the older release's
// tools refuse the newer stream. A fleet mid-upgrade plans no move down a release.
const P = DEFAULT_POLICY;
const moves = (p: { sets: readonly (readonly { name: string; from: string; to: string }[])[] }) => p.sets.flat().map((m) => `${m.name}:${m.from}>${m.to}`);

const upgrading: FleetSpec = {
  hosts: { new1: { xen: '4.17.5' }, new2: { xen: '4.17.0', totalMiB: 8192 }, old1: { xen: '4.11.4' } },
  domus: [
    { name: 'a', home: 'new1', replicas: ['new1', 'old1'], memMiB: 1024 },
    { name: 'b', home: 'new1', replicas: ['new1', 'new2', 'old1'], memMiB: 1024 },
  ],
};

describe('plans in a fleet of several Xen releases', () => {
  it('a drain picks no target of an older release, an older point release of the same one is no older', () => {
    const p = planDrain(factsOf(upgrading), ['new1'], P);
    // b would go to old1 (more room); new2's 4.17.0 takes it
    expect(moves(p)).toEqual(['b:new1>new2']);
    expect(p.leftovers.map((l) => [l.name, l.blocker])).toEqual([['a', { kind: 'targets-unavailable', targets: [{ host: 'old1', why: 'older-xen' }] }]]);
    expect(p.leftovers[0]?.message).toContain("old1 runs an older Xen release than the domU's Dom0");
  });

  it('a drain of the older Dom0 may go up a release; a release not reported keeps the host a candidate', () => {
    const up = { ...upgrading, domus: upgrading.domus.map((d) => ({ ...d, home: 'old1' })) };
    expect(moves(planDrain(factsOf(up), ['old1'], P))).toEqual(['a:old1>new1', 'b:old1>new1']);
    const { xen: _, ...unknown } = upgrading.hosts['old1'] ?? {};
    expect(moves(planDrain(factsOf({ ...upgrading, hosts: { ...upgrading.hosts, old1: unknown } }), ['new1'], P))).toEqual(['a:new1>old1', 'b:new1>old1']);
  });

  it('a restore does not bring a domU home down a release', () => {
    const away: FleetSpec = { ...upgrading, domus: [{ name: 'a', home: 'old1', on: 'new1', awayAt: 'new1', replicas: ['new1', 'old1'], memMiB: 1024 }] };
    const p = planRestore(factsOf(away), 'old1', P);
    expect(moves(p)).toEqual([]);
    expect(p.leftovers.map((l) => [l.name, l.blocker])).toEqual([['a', { kind: 'targets-unavailable', targets: [{ host: 'old1', why: 'older-xen' }] }]]);
  });

  it('a rebalance moves nothing down a release', () => {
    const heavy: FleetSpec = {
      hosts: { new1: { xen: '4.17.5', totalMiB: 8192 }, old1: { xen: '4.4.4', totalMiB: 65_536 } },
      // away from their home on the fuller Dom0: the move a rebalance makes first
      domus: [1, 2, 3].map((i) => ({ name: `v${i}`, home: 'old1', on: 'new1', awayAt: 'new1', replicas: ['new1', 'old1'], memMiB: 2048 })),
    };
    expect(moves(planRebalance(factsOf(heavy), P))).toEqual([]);
    // the same fleet on one release does move
    const same: FleetSpec = { ...heavy, hosts: { new1: { xen: '4.17.5', totalMiB: 8192 }, old1: { xen: '4.17.0', totalMiB: 65_536 } } };
    expect(moves(planRebalance(factsOf(same), P)).length).toBeGreaterThan(0);
  });

  it('with --cold-fallback a drain may place on an older release, only where no live target has room; never on the other toolstack', () => {
    const cold = { ...P, coldFallback: true };
    const p = planDrain(factsOf(upgrading), ['new1'], cold);
    // a has old1 only: a cold move; b still goes live to new2, though old1 has more room
    expect(moves(p)).toEqual(['a:new1>old1', 'b:new1>new2']);
    expect(p.leftovers).toEqual([]);
    const full: FleetSpec = { ...upgrading, hosts: { ...upgrading.hosts, new2: { xen: '4.17.0', totalMiB: 1024 } } };
    expect(moves(planDrain(factsOf(full), ['new1'], cold))).toEqual(['a:new1>old1', 'b:new1>old1']);
    const xm: FleetSpec = { ...upgrading, hosts: { ...upgrading.hosts, old1: { xen: '4.11.4', toolstack: 'xm' } } };
    expect(planDrain(factsOf(xm), ['new1'], cold).leftovers.map((l) => [l.name, l.blocker])).toEqual([['a', { kind: 'targets-unavailable', targets: [{ host: 'old1', why: 'other-toolstack' }] }]]);
  });
});
