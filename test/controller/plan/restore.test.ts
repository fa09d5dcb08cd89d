import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../../controller/plan/policy.js';
import { planRestore } from '../../../controller/plan/restore.js';
import { factsOf, type FleetSpec } from './plan-fleet.js';

const P = DEFAULT_POLICY;
const moves = (p: ReturnType<typeof planRestore>) => p.sets.map((s) => s.map((m) => `${m.name}:${m.from}>${m.to}`));

describe('planRestore', () => {
  it("brings back every domU whose home is HOST, wherever it went (ledgers and homes merged), manual moves included", () => {
    const spec: FleetSpec = {
      hosts: { xen1: { maintenance: 'maintenance' }, xen2: {}, xen3: {} },
      domus: [
        { name: 'a', home: 'xen1', replicas: ['xen1', 'xen2'], memMiB: 1024, on: 'xen2' },
        { name: 'b', home: 'xen1', replicas: ['xen1', 'xen3'], memMiB: 1024, on: 'xen3' },
        { name: 'home-already', home: 'xen1', replicas: ['xen1', 'xen3'], memMiB: 1024 },
        { name: 'other', home: 'xen2', replicas: ['xen2', 'xen3'], memMiB: 1024, on: 'xen3' },
      ],
    };
    const p = planRestore(factsOf(spec), 'xen1', P);
    expect(moves(p).flat().sort()).toEqual(['a:xen2>xen1', 'b:xen3>xen1']);
    expect(p.leftovers).toEqual([]);
  });

  it('a domU leaving its home right now is not home: it is a leftover that waits (mid-migration), not counted as back', () => {
    const spec: FleetSpec = {
      hosts: { xen1: {}, xen2: {} },
      domus: [
        { name: 'leaving', home: 'xen1', replicas: ['xen1', 'xen2'], memMiB: 1024, on: 'xen1' },
        { name: 'leaving', home: 'xen1', replicas: ['xen1', 'xen2'], memMiB: 1024, on: 'xen2', migration: 'incoming', noHome: true },
      ],
    };
    const p = planRestore(factsOf(spec), 'xen1', P);
    expect(moves(p)).toEqual([]);
    expect(p.leftovers.map((l) => [l.name, l.blocker.kind])).toEqual([['leaving', 'mid-migration']]);
  });

  it('a domU recorded away that runs nowhere is a leftover saying so, never counted as home; one shut down at home is left alone', () => {
    const spec: FleetSpec = {
      hosts: { xen1: {}, xen2: {} },
      domus: [
        { name: 'lost', home: 'xen1', replicas: ['xen1', 'xen2'], memMiB: 1024, on: null, awayAt: 'xen2' },
        { name: 'stopped', home: 'xen1', replicas: ['xen1', 'xen2'], memMiB: 1024, on: null },
        { name: 'away', home: 'xen1', replicas: ['xen1', 'xen2'], memMiB: 1024, on: 'xen2' },
      ],
    };
    const p = planRestore(factsOf(spec), 'xen1', P);
    expect(moves(p)).toEqual([['away:xen2>xen1']]);
    expect(p.leftovers.map((l) => [l.name, l.host, l.blocker.kind])).toEqual([['lost', null, 'runs-nowhere']]);
    expect(p.leftovers[0]?.message).toContain('lost runs nowhere');
  });

  it('sends visitors parked on the home back to their own homes first when the home lacks room', () => {
    const spec: FleetSpec = {
      hosts: { xen1: { totalMiB: 8192 }, xen2: {}, xen3: {} },
      domus: [
        { name: 'mine', home: 'xen1', replicas: ['xen1', 'xen2'], memMiB: 4096, on: 'xen2' },
        { name: 'parked', home: 'xen3', replicas: ['xen1', 'xen3'], memMiB: 4096, on: 'xen1' },
      ],
    };
    const p = planRestore(factsOf(spec), 'xen1', P);
    expect(moves(p)).toEqual([['parked:xen1>xen3'], ['mine:xen2>xen1']]);
    // the executor's pass (memory freed only once reported) starts with the visitor alone
    const now = planRestore(factsOf(spec), 'xen1', { ...P, creditDepartures: false });
    expect(moves(now)).toEqual([['parked:xen1>xen3']]);
    expect(now.leftovers.map((l) => [l.name, l.blocker.kind])).toEqual([['mine', 'no-memory']]);
  });

  it('leftovers with reasons do not hold back the rest', () => {
    const spec: FleetSpec = {
      hosts: { xen1: {}, xen2: { reachable: false }, xen3: {} },
      domus: [
        { name: 'stuck', home: 'xen1', replicas: ['xen1', 'xen2'], memMiB: 1024, on: 'xen2' },
        { name: 'paused', home: 'xen1', replicas: ['xen1', 'xen3'], memMiB: 1024, on: 'xen3', state: 'paused' },
        { name: 'fine', home: 'xen1', replicas: ['xen1', 'xen3'], memMiB: 1024, on: 'xen3' },
      ],
    };
    const p = planRestore(factsOf(spec), 'xen1', P);
    expect(moves(p).flat()).toEqual(['fine:xen3>xen1']);
    expect(p.leftovers.map((l) => l.message)).toEqual(['paused is paused: only a running domU is live-migrated (resume or stop it first)', 'stuck: xen2 is unreachable (its agent is not connected), so it cannot be asked to move it']);
  });

  it('a restore targets its own host even while it is in maintenance or restoring; not when it is unreachable', () => {
    const spec: FleetSpec = { hosts: { xen1: { maintenance: 'restoring' }, xen2: {} }, domus: [{ name: 'a', home: 'xen1', replicas: ['xen1', 'xen2'], memMiB: 1024, on: 'xen2' }] };
    expect(moves(planRestore(factsOf(spec), 'xen1', P))).toEqual([['a:xen2>xen1']]);
    const down = planRestore(factsOf({ ...spec, hosts: { ...spec.hosts, xen1: { reachable: false } } }), 'xen1', P);
    expect(down.leftovers.map((l) => l.blocker.kind)).toEqual(['targets-unavailable']);
  });
});
