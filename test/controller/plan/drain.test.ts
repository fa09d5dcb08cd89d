import { describe, expect, it } from 'vitest';
import { planDrain } from '../../../controller/plan/drain.js';
import { domuBlock } from '../../../controller/plan/eligibility.js';
import { DEFAULT_POLICY } from '../../../controller/plan/policy.js';
import { factsOf, type FleetSpec } from './plan-fleet.js';

const P = DEFAULT_POLICY;
const moves = (p: ReturnType<typeof planDrain>) => p.sets.flat().map((m) => `${m.name}:${m.from}>${m.to}`);
const why = (p: ReturnType<typeof planDrain>) => Object.fromEntries(p.leftovers.map((l) => [l.name, l.blocker.kind]));

const three: FleetSpec = {
  hosts: { xen1: {}, xen2: {}, xen3: {} },
  domus: [
    { name: 'a', home: 'xen1', replicas: ['xen1', 'xen2'], memMiB: 4096 },
    { name: 'b', home: 'xen1', replicas: ['xen1', 'xen3'], memMiB: 2048 },
    { name: 'c', home: 'xen1', replicas: ['xen1', 'xen2', 'xen3'], memMiB: 1024 },
    { name: 'd', home: 'xen1', replicas: ['xen1', 'xen2', 'xen3'], memMiB: 1024 },
  ],
};

describe('planDrain', () => {
  it('sends each DRBD domU only to a host holding all its replicas, spreading those with a choice (most memory left)', () => {
    const p = planDrain(factsOf(three), ['xen1'], P);
    // a (4 GiB) must go to xen2 and b (2 GiB) to xen3; c and d may go either way: both to xen3 evens the memory out
    expect(moves(p)).toEqual(['a:xen1>xen2', 'b:xen1>xen3', 'c:xen1>xen3', 'd:xen1>xen3']);
    expect(p.leftovers).toEqual([]);
    // one source: every move shares xen1, so each is its own set
    expect(p.sets.every((s) => s.length === 1)).toBe(true);
  });

  it('never to a host in maintenance, draining, restoring, unreachable or stale; says which and why', () => {
    for (const [state, word] of [['maintenance', 'maintenance'], ['draining', 'draining'], ['restoring', 'restoring']] as const) {
      const p = planDrain(factsOf({ ...three, hosts: { ...three.hosts, xen2: { maintenance: state } } }), ['xen1'], P);
      expect(why(p)).toEqual({ a: 'targets-unavailable' });
      expect(p.leftovers[0]?.message).toContain(`xen2 is ${word === 'restoring' ? 'being restored' : word === 'maintenance' ? 'in maintenance' : 'draining'}`);
    }
    const p = planDrain(factsOf({ ...three, hosts: { ...three.hosts, xen3: { reachable: false } } }), ['xen1'], P);
    expect(why(p)).toEqual({ b: 'targets-unavailable' });
    expect(moves(p)).toContain('c:xen1>xen2');
  });

  it('memory must fit with the reserve; the largest go first', () => {
    const tight: FleetSpec = { ...three, hosts: { xen1: {}, xen2: { totalMiB: 8192, freeMiB: 4096 + 1024 }, xen3: { totalMiB: 8192, freeMiB: 1024 } } };
    const p = planDrain(factsOf(tight), ['xen1'], P);
    expect(moves(p)).toEqual(['a:xen1>xen2']);
    expect(why(p)).toEqual({ b: 'no-memory', c: 'no-memory', d: 'no-memory' });
    expect(p.leftovers.find((l) => l.name === 'b')?.message).toMatch(/b needs 2048 MiB \+ 1024 MiB reserve; the most any allowed target has free is 1024 MiB \(xen3\)/);
    expect(planDrain(factsOf(tight), ['xen1'], { ...P, reserveMiB: 0 }).leftovers.map((l) => l.name)).toEqual(['b']);
  });

  it('reasons for domUs that cannot move: no replica elsewhere, no config, paused/crashed, mid-migration, source without the capability', () => {
    const p = planDrain(
      factsOf({
        hosts: { xen1: {}, xen2: {} },
        domus: [
          { name: 'solo', home: 'xen1', replicas: ['xen1'], memMiB: 512 },
          { name: 'unknown', home: 'xen1', replicas: [], memMiB: 512, noConfig: true },
          { name: 'paused', home: 'xen1', replicas: ['xen1', 'xen2'], memMiB: 512, state: 'paused' },
          { name: 'crashed', home: 'xen1', replicas: ['xen1', 'xen2'], memMiB: 512, state: 'crashed' },
          { name: 'moving', home: 'xen1', replicas: ['xen1', 'xen2'], memMiB: 512, migration: 'migratedaway' },
          { name: 'local', home: 'xen1', replicas: [], memMiB: 512 },
        ],
      }),
      ['xen1'],
      P,
    );
    expect(why(p)).toEqual({ solo: 'no-replica', unknown: 'no-config', paused: 'state', crashed: 'state', moving: 'mid-migration' });
    expect(moves(p)).toEqual(['local:xen1>xen2']);
    const old = planDrain(factsOf({ hosts: { xen1: { capabilities: ['fleet-view'] }, xen2: {} }, domus: [{ name: 'a', home: 'xen1', replicas: ['xen1', 'xen2'], memMiB: 512 }] }), ['xen1'], P);
    expect(old.leftovers[0]?.message).toMatch(/xen1 runs an agent that cannot do this/);
  });

  it('a domU whose migration a ledger keeps as unsettled is an ALARM leftover, before any other reason, naming every record', () => {
    const f = factsOf({
      hosts: { xen1: {}, xen2: {}, xen3: {} },
      domus: [
        { name: 'web', home: 'xen1', replicas: ['xen1', 'xen2'], memMiB: 512, unsettled: [{ at: 'xen1', peer: 'xen2' }] },
        // xen3 holds a replica too: a record from a Dom0 holding nothing of odd would not count (fleet/unsettled.ts)
        { name: 'odd', home: 'xen1', replicas: ['xen1', 'xen2', 'xen3'], memMiB: 512, state: 'paused', migration: 'migratedaway', unsettled: [{ at: 'xen1', peer: 'xen2' }, { at: 'xen3', peer: 'xen1', operation: 'reverse' }] },
        { name: 'fine', home: 'xen1', replicas: ['xen1', 'xen2'], memMiB: 512 },
      ],
    });
    expect(f.domu('odd')?.unsettled.map((u) => [u.host, u.peer, u.operation])).toEqual([
      ['xen1', 'xen2', 'migrate'],
      ['xen3', 'xen1', 'reverse'],
    ]);
    expect(domuBlock(f.domu('odd') ?? (null as never))).toEqual({
      kind: 'alarm',
      code: 'XH_ERR_MIGRATION_UNKNOWN',
      message:
        'the migrate xen1 ran with xen2 (operation op-u, at 2024-05-31T23:00:00.000Z); and the reverse xen3 ran with xen1 (operation op-u, at 2024-05-31T23:00:00.000Z) each ended with its outcome unknown, so nobody knows where odd has run since; check both hosts by hand (xenherd-agent status odd on each), then run xenherd-agent reconcile odd on xen1 and on xen3',
    });
    const p = planDrain(f, ['xen1'], P);
    expect(why(p)).toEqual({ web: 'alarm', odd: 'alarm' });
    expect(moves(p)).toEqual(['fine:xen1>xen2']);
  });

  it('a visitor goes back to its home, and only there', () => {
    const spec: FleetSpec = {
      hosts: { xen1: {}, xen2: {}, xen3: {} },
      domus: [{ name: 'v', home: 'xen3', replicas: ['xen1', 'xen2', 'xen3'], memMiB: 1024, on: 'xen1' }],
    };
    expect(moves(planDrain(factsOf(spec), ['xen1'], P))).toEqual(['v:xen1>xen3']);
    const homeDown = planDrain(factsOf({ ...spec, hosts: { ...spec.hosts, xen3: { maintenance: 'maintenance' } } }), ['xen1'], P);
    expect(homeDown.leftovers[0]?.message).toBe('v is a visitor and can only go back to its home, and xen3 is in maintenance');
  });

  it('a group drained at once never sends a domU to another host of the group', () => {
    const p = planDrain(factsOf(three), ['xen1', 'xen2'], P);
    expect(moves(p).sort()).toEqual(['b:xen1>xen3', 'c:xen1>xen3', 'd:xen1>xen3']);
    expect(p.leftovers.map((l) => [l.name, l.message])).toEqual([['a', 'a: every host that could take it is unavailable: xen2 is being emptied too']]);
  });
});
