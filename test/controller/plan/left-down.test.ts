import { describe, expect, it } from 'vitest';
import { FleetIndex } from '../../../controller/fleet/fleet-index.js';
import { MultiIndex } from '../../../controller/fleet/multi-index.js';
import { planFacts, type PlanFacts } from '../../../controller/plan/facts.js';
import { leftDown, whereTheyRan, type LeftDownInput } from '../../../controller/plan/left-down.js';
import type { LinkDomuConfig, LinkGuarded } from '../../../shared/protocol/agent-link-state.js';
import { guarded, record } from '../states.js';
import { factsOf, NOW, statesOf, type FleetSpec } from './plan-fleet.js';

// A drain moves only what runs: a domU lost with its host mid-drain drops out of its plan. What
// the drain must still name at its end, and how.
const at = (ranAt: Record<string, string> = {}, o: Partial<LeftDownInput> = {}): LeftDownInput => ({ ranAt: new Map(Object.entries(ranAt)), movedTo: new Map(), named: new Set(), resumes: false, ...o });
const kinds = (facts: PlanFacts, input: LeftDownInput, host = 'xen1') => leftDown(facts, host, input).map((l) => `${l.name}: ${l.blocker.kind}`);

/** web homed on xen1 (its replica on xen2, guarded on both), running nowhere; xen1 draining */
const lost = (o: { xen1?: 'online' | 'draining' | 'maintenance'; on?: string | null; noConfig?: boolean; peerConfig?: 'config-dir'; xen2?: 'online' | 'maintenance' } = {}): FleetSpec => ({
  hosts: { xen1: { maintenance: o.xen1 ?? 'draining' }, xen2: { maintenance: o.xen2 ?? 'online' } },
  domus: [
    { name: 'web', home: 'xen1', replicas: ['xen1', 'xen2'], memMiB: 1024, on: o.on === undefined ? null : o.on, ...(o.noConfig ? { noConfig: true } : {}), ...(o.peerConfig ? { peerConfig: o.peerConfig } : {}) },
    { name: 'db', home: 'xen2', replicas: ['xen1', 'xen2'], memMiB: 1024, on: 'xen2' },
  ],
});

/** factsOf, with the agents' guarded decisions GUARDED reported by their hosts */
function withDecisions(spec: FleetSpec, decisions: Record<string, LinkGuarded[]>): PlanFacts {
  const index = new FleetIndex();
  const configs = new MultiIndex<LinkDomuConfig>();
  for (const [h, s] of statesOf(spec)) {
    index.put({ ...record(h, { ...s, guarded: decisions[h] ?? [] }, NOW - 1_000, true), capabilities: ['migrate', 'maintenance', 'cold-migrate'] });
    configs.replace(h, s.domus.map((c) => [c.name, c] as const));
  }
  return planFacts({ index, configs, fresh: { now: NOW, staleAfterMs: 15_000 } });
}

describe('leftDown: the guarded domUs a drain leaves running nowhere', () => {
  it('one that ran on the drained host when the drain began: named with how it went and the fix', () => {
    const ls = leftDown(factsOf(lost({ peerConfig: 'config-dir' })), 'xen1', at({ web: 'xen1', db: 'xen2' }));
    expect(ls).toEqual([
      {
        name: 'web',
        host: null,
        blocker: { kind: 'runs-nowhere' },
        message: 'web runs nowhere (it ran on xen1 when this drain began: lost with xen1, a power loss or a crash?), and xen1 starts nothing while it is draining: `xenherdctl restore xen1` starts it at its home xen1, bringing xen1 online',
      },
    ]);
  });

  it('a peer out of maintenance guarding it is named as the other way to start it (by hand, --force); one in maintenance is not', () => {
    const [l] = leftDown(factsOf(lost({ xen1: 'maintenance' })), 'xen1', at({ web: 'xen1' }));
    expect(l?.message).toMatch(/while it is in maintenance: `xenherdctl restore xen1` starts it at its home xen1, bringing xen1 online, or `xenherd-agent autostart start --force web --reason TEXT` on xen2 starts it there$/);
    const [m] = leftDown(factsOf(lost({ xen2: 'maintenance' })), 'xen1', at({ web: 'xen1' }));
    expect(m?.message).toMatch(/bringing xen1 online$/);
  });

  it('homed there but not running when the drain began: named all the same, saying so (a resumed drain: the drain it continues may have lost it)', () => {
    const fresh = leftDown(factsOf(lost()), 'xen1', at());
    expect(fresh.map((l) => l.message)).toEqual([expect.stringMatching(/^web runs nowhere \(already when this drain began: shut down, or lost earlier\), and xen1 starts nothing while it is draining: /)]);
    const resumed = leftDown(factsOf(lost()), 'xen1', at({}, { resumes: true }));
    expect(resumed.map((l) => l.message)).toEqual([expect.stringMatching(/^web runs nowhere \(already when this drain began: lost with xen1 during an earlier drain \(a power loss, a crash\?\), or shut down\), /)]);
  });

  it('one this drain moved, lost where it went: said so', () => {
    const [l] = leftDown(factsOf(lost()), 'xen1', at({ web: 'xen1' }, { movedTo: new Map([['web', 'xen2']]) }));
    expect(l?.message).toMatch(/^web runs nowhere \(this drain moved it to xen2: lost with xen2, or shut down\?\), and xen1 starts nothing/);
  });

  it('moved to a Dom0 unheard since (it may run there): not called down, and no fix that starts a second copy', () => {
    const spec = lost();
    const silentXen2: FleetSpec = { ...spec, hosts: { ...spec.hosts, xen2: { maintenance: 'online', reachable: false } } };
    const [l] = leftDown(factsOf(silentXen2), 'xen1', at({ web: 'xen1' }, { movedTo: new Map([['web', 'xen2']]) }));
    expect(l?.message).toBe(
      'web not seen running (this drain moved it to xen2: lost with xen2, or shut down?), and xen1 starts nothing while it is draining; unknown whether it runs on xen2 (unreachable, last heard 60 s ago): start it nowhere before `xenherdctl where web` hears from that Dom0',
    );
  });

  it('a visitor lost with the drained host: its home restores it, and the drained host is not said to hold it', () => {
    const spec: FleetSpec = {
      hosts: { xen1: { maintenance: 'maintenance' }, xen2: {} },
      domus: [{ name: 'db', home: 'xen2', replicas: ['xen1', 'xen2'], memMiB: 1024, on: null, awayAt: 'xen1' }],
    };
    expect(leftDown(factsOf(spec), 'xen1', at({ db: 'xen1' })).map((l) => l.message)).toEqual([
      'db runs nowhere (it ran on xen1 when this drain began: lost with xen1, a power loss or a crash?): `xenherdctl restore xen2` starts it at its home xen2',
    ]);
  });

  it('not named: running anywhere (a half included), already in the account, the host online, unguarded, or being started by a peer out of maintenance', () => {
    expect(kinds(factsOf(lost({ on: 'xen2' })), at({ web: 'xen1' }))).toEqual([]);
    const half: FleetSpec = { ...lost(), domus: [{ name: 'web', home: 'xen1', replicas: ['xen1', 'xen2'], memMiB: 1024, on: 'xen2', migration: 'incoming' }] };
    expect(kinds(factsOf(half), at({ web: 'xen1' }))).toEqual([]);
    expect(kinds(factsOf(lost()), at({ web: 'xen1' }, { named: new Set(['web']) }))).toEqual([]);
    expect(kinds(factsOf(lost({ xen1: 'online' })), at({ web: 'xen1' }))).toEqual([]);
    expect(kinds(factsOf(lost({ noConfig: true })), at({ web: 'xen1' }))).toEqual([]);
    const starting = withDecisions(lost(), { xen2: [guarded('web', ['r-web'], { decision: 'start' })] });
    expect(kinds(starting, at({ web: 'xen1' }))).toEqual([]);
    const deferring = withDecisions(lost(), { xen2: [guarded('web', ['r-web'], { decision: 'defer', reason: 'peer-not-connected' })] });
    expect(kinds(deferring, at({ web: 'xen1' }))).toEqual(['web: runs-nowhere']);
  });

  it("guarded only by the drained host's own report (no config reported): named", () => {
    const facts = withDecisions(lost({ noConfig: true }), { xen1: [guarded('web', ['r-web'], { decision: 'skip', reason: 'maintenance' })] });
    expect(kinds(facts, at({ web: 'xen1' }))).toEqual(['web: runs-nowhere']);
  });

  it('a migration of it ending unknown in a ledger: its ALARM, for a person to reconcile first', () => {
    const spec: FleetSpec = { ...lost(), domus: [{ name: 'web', home: 'xen1', replicas: ['xen1', 'xen2'], memMiB: 1024, on: null, unsettled: [{ at: 'xen1', peer: 'xen2' }] }] };
    const ls = leftDown(factsOf(spec), 'xen1', at({ web: 'xen1' }));
    expect(ls.map((l) => [l.name, l.blocker.kind])).toEqual([['web', 'alarm']]);
    expect(ls[0]?.message).toMatch(/^ALARM web: /);
  });
});

describe('whereTheyRan', () => {
  it("the host's domUs, and those homed there that ran elsewhere", () => {
    const spec: FleetSpec = {
      hosts: { xen1: {}, xen2: {} },
      domus: [
        { name: 'a', home: 'xen1', replicas: ['xen1', 'xen2'], memMiB: 1024 },
        { name: 'b', home: 'xen1', replicas: ['xen1', 'xen2'], memMiB: 1024, on: 'xen2' },
        { name: 'c', home: 'xen2', replicas: ['xen1', 'xen2'], memMiB: 1024, on: 'xen1' },
        { name: 'd', home: 'xen2', replicas: ['xen1', 'xen2'], memMiB: 1024 },
        { name: 'e', home: 'xen1', replicas: ['xen1', 'xen2'], memMiB: 1024, on: null },
      ],
    };
    expect(Object.fromEntries(whereTheyRan(factsOf(spec), 'xen1'))).toEqual({ a: 'xen1', b: 'xen2', c: 'xen1' });
  });
});
