import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../../controller/plan/policy.js';
import { mayClearUp } from '../../../controller/plan/leftover-text.js';
import { notRunningAtHome, planRestore } from '../../../controller/plan/restore.js';
import type { Leftover } from '../../../shared/protocol/ctl-jobs.js';
import { STRANDED_HALF_MS } from '../../../shared/stranded-half.js';
import { factsOf, type DomuSpec, type FleetSpec, type HostSpec } from './plan-fleet.js';

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

  it("a sender's half standing over a minute is an ALARM leftover, not waited for; a younger one, or one on a host whose view is behind, waits", () => {
    const spec = (halfFor: number, view?: 'behind'): FleetSpec => ({
      hosts: { xen1: {}, xen2: view ? { view } : {} },
      domus: [
        // on its way home from xen2, and the final handshake never ended: both halves stand
        { name: 'stuck', home: 'xen1', replicas: ['xen1', 'xen2'], memMiB: 1024, on: 'xen2', migration: 'migratedaway', halfFor },
        { name: 'stuck', home: 'xen1', replicas: ['xen1', 'xen2'], memMiB: 1024, on: 'xen1', migration: 'incoming', noHome: true },
      ],
    });
    const stranded = planRestore(factsOf(spec(STRANDED_HALF_MS + 1_000)), 'xen1', P);
    expect(moves(stranded)).toEqual([]);
    expect(stranded.leftovers).toHaveLength(1);
    const l = stranded.leftovers[0];
    expect(l?.blocker).toMatchObject({ kind: 'alarm', code: 'XH_ERR_MIGRATION_UNKNOWN' });
    expect(l?.message).toBe('ALARM stuck: stuck--migratedaway has stood on xen2 for 61 s: a migration of it from xen2 ended without its final handshake, and both halves may be kept; check both hosts by hand (xenherdctl where stuck; the agent on xen2 logs an ALARM for it) (XH_ERR_MIGRATION_UNKNOWN); nothing more was done to it');
    expect(mayClearUp(l as Leftover)).toBe(false);
    for (const waits of [planRestore(factsOf(spec(STRANDED_HALF_MS)), 'xen1', P), planRestore(factsOf(spec(STRANDED_HALF_MS + 1_000, 'behind')), 'xen1', P)]) {
      expect(waits.leftovers.map((x) => [x.name, x.blocker.kind, mayClearUp(x)])).toEqual([['stuck', 'mid-migration', true]]);
    }
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

describe('planRestore: a domU of HOST whose migration a ledger keeps as unsettled (ended in an ALARM, not yet reconciled)', () => {
  const d = (name: string, o: Partial<DomuSpec> = {}): DomuSpec => ({ name, home: 'xen1', replicas: ['xen1', 'xen2'], memMiB: 1024, ...o });
  const byXen1 = [{ at: 'xen1', peer: 'xen2' }];
  /** each of these would come home, be started at home or count as shut down at home, but for the record */
  const spec = (records: DomuSpec['unsettled'] = byXen1, xen2: HostSpec = {}): FleetSpec => ({
    hosts: { xen1: { maintenance: 'restoring' }, xen2 },
    domus: [
      d('elsewhere', { on: 'xen2', unsettled: records }),
      d('lost', { on: null, awayAt: 'xen2', visitorRecord: false, peerConfig: 'config-dir', unsettled: records }),
      d('quiet', { on: null, unsettled: records }),
      d('athome', { unsettled: records }),
      d('fine', { on: 'xen2' }),
      d('stopped', { on: null }),
    ],
  });

  it('is an ALARM leftover whether it runs elsewhere, nowhere or at home: never moved, never started at home', () => {
    const f = factsOf(spec());
    const p = planRestore(f, 'xen1', P);
    expect(moves(p)).toEqual([['fine:xen2>xen1']]);
    expect(p.leftovers.map((l) => [l.name, l.host, l.blocker.kind, mayClearUp(l)])).toEqual([
      ['athome', 'xen1', 'alarm', false],
      ['elsewhere', 'xen2', 'alarm', false],
      ['lost', null, 'alarm', false],
      ['quiet', null, 'alarm', false],
    ]);
    expect(p.leftovers.find((l) => l.name === 'elsewhere')).toMatchObject({
      blocker: { kind: 'alarm', code: 'XH_ERR_MIGRATION_UNKNOWN' },
      message:
        'ALARM elsewhere: the migrate xen1 ran with xen2 (operation op-u, at 2024-05-31T23:00:00.000Z) ended with its outcome unknown, so nobody knows where elsewhere has run since; check both hosts by hand (xenherd-agent status elsewhere on each), then run xenherd-agent reconcile elsewhere on xen1 (XH_ERR_MIGRATION_UNKNOWN); nothing more was done to it',
    });
    // named as the ALARM, not as shut down at home
    expect(notRunningAtHome(f, 'xen1')).toEqual(['stopped']);
  });

  it('without the records the same fleet moves, starts at home and counts as shut down: the records alone hold them', () => {
    const f = factsOf(spec([]));
    const p = planRestore(f, 'xen1', P);
    expect(p.sets.flat().map((m) => `${m.name}:${m.why}`).sort()).toEqual(['elsewhere:home', 'fine:home', 'lost:start-home']);
    expect(p.leftovers).toEqual([]);
    expect(notRunningAtHome(f, 'xen1')).toEqual(['quiet', 'stopped']);
  });

  it("a record kept by the other host, or by a host gone silent, counts the same", () => {
    for (const p of [planRestore(factsOf(spec([{ at: 'xen2', peer: 'xen1', operation: 'migrate' }])), 'xen1', P), planRestore(factsOf(spec([{ at: 'xen2', peer: 'xen1' }], { reachable: false })), 'xen1', P)]) {
      expect(p.leftovers.filter((l) => l.blocker.kind === 'alarm').map((l) => l.name)).toEqual(['athome', 'elsewhere', 'lost', 'quiet']);
      expect(p.leftovers[0]?.message).toContain('then run xenherd-agent reconcile athome on xen2');
    }
  });
});
