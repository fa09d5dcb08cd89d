import { describe, expect, it } from 'vitest';
import { planDrain } from '../../../controller/plan/drain.js';
import { DEFAULT_POLICY } from '../../../controller/plan/policy.js';
import { planRebalance } from '../../../controller/plan/rebalance.js';
import { planRestore } from '../../../controller/plan/restore.js';
import { factsOf, type FleetSpec } from './plan-fleet.js';

// A live migration stays within one toolstack: xm sends only to a xend relocation server, xl's
// receiver refuses to run beside xend. A mixed fleet's plans never cross.
const P = DEFAULT_POLICY;
const moves = (p: { sets: readonly (readonly { name: string; from: string; to: string }[])[] }) => p.sets.flat().map((m) => `${m.name}:${m.from}>${m.to}`);

const mixed: FleetSpec = {
  hosts: { xm1: { toolstack: 'xm' }, xm2: { toolstack: 'xm', totalMiB: 8192 }, xl1: { toolstack: 'xl' } },
  domus: [
    { name: 'a', home: 'xm1', replicas: ['xm1', 'xl1'], memMiB: 1024 },
    { name: 'b', home: 'xm1', replicas: ['xm1', 'xm2', 'xl1'], memMiB: 1024 },
  ],
};

describe('plans in a fleet of xm and xl Dom0s', () => {
  it('a drain of an xm Dom0 picks no xl target: an xm one if its disks allow, else a leftover saying why', () => {
    const p = planDrain(factsOf(mixed), ['xm1'], P);
    // b would go to xl1 (more room) but only xm2 can take it
    expect(moves(p)).toEqual(['b:xm1>xm2']);
    expect(p.leftovers.map((l) => [l.name, l.blocker])).toEqual([['a', { kind: 'targets-unavailable', targets: [{ host: 'xl1', why: 'other-toolstack' }] }]]);
    expect(p.leftovers[0]?.message).toContain('xl1 runs the other toolstack');
  });

  it('a toolstack not known yet keeps the host a candidate', () => {
    const p = planDrain(factsOf({ ...mixed, hosts: { ...mixed.hosts, xl1: { toolstack: null } } }), ['xm1'], P);
    expect(moves(p)).toEqual(['a:xm1>xl1', 'b:xm1>xl1']);
  });

  it('a restore does not bring a domU home across toolstacks', () => {
    const away: FleetSpec = { ...mixed, domus: [{ name: 'a', home: 'xm1', on: 'xl1', awayAt: 'xl1', replicas: ['xm1', 'xl1'], memMiB: 1024 }] };
    const p = planRestore(factsOf(away), 'xm1', P);
    expect(moves(p)).toEqual([]);
    expect(p.leftovers.map((l) => [l.name, l.blocker])).toEqual([['a', { kind: 'targets-unavailable', targets: [{ host: 'xm1', why: 'other-toolstack' }] }]]);
  });

  it('a rebalance moves nothing across toolstacks', () => {
    const heavy: FleetSpec = {
      hosts: { xm1: { toolstack: 'xm', totalMiB: 8192 }, xl1: { toolstack: 'xl', totalMiB: 65_536 } },
      // away from their home on the emptier Dom0: the move a rebalance makes first
      domus: [1, 2, 3].map((i) => ({ name: `v${i}`, home: 'xl1', on: 'xm1', awayAt: 'xm1', replicas: ['xm1', 'xl1'], memMiB: 2048 })),
    };
    expect(moves(planRebalance(factsOf(heavy), P))).toEqual([]);
    // the same fleet all xl does move
    const allXl: FleetSpec = { ...heavy, hosts: { xm1: { totalMiB: 8192 }, xl1: { totalMiB: 65_536 } } };
    expect(moves(planRebalance(factsOf(allXl), P)).length).toBeGreaterThan(0);
  });
});
