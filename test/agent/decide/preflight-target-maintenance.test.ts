import { describe, expect, it } from 'vitest';
import { planMigrate, planReverse, type MigrationFacts, type PreflightCheck } from '../../../agent/decide/migration-plan.js';
import { judge, type PreflightFacts } from '../../../agent/decide/preflight.js';
import { renderPlan } from '../../../agent/cli/plan-render.js';
import { emptyLedger, withAway, withVisitor } from '../../../agent/state/ledger.js';
import { PeerStatusSchema, type PeerStatus } from '../../../shared/protocol/peer.js';

// The target's maintenance state in the migration preflight: its forced command reports it in
// `status NAME`; a draining or empty-for-maintenance target takes no domU unless it goes home.

const status = (over: Partial<PeerStatus> = {}): PeerStatus => ({ v: 1, t: 'status', host: 'xen2', name: 'web1', present: 'absent', state: null, listedAs: null, home: null, freeMemMiB: 8192, ...over });
const facts = (s: PeerStatus): PreflightFacts => ({ name: 'web1', here: undefined, resourceHosts: new Map(), keys: new Map(), sshd: new Map(), status: new Map([['xen2', s]]), drbd: { host: 'xen1', resources: new Map() } });
const check = (refuseDraining: boolean): PreflightCheck => ({ check: 'peer-status', peer: 'xen2', wantPresent: false, refuseDraining });

describe('preflight: the target\'s maintenance state', () => {
  const table: { maintenance: PeerStatus['maintenance']; refuseDraining: boolean; ok: boolean }[] = [
    { maintenance: undefined, refuseDraining: true, ok: true },
    { maintenance: 'online', refuseDraining: true, ok: true },
    { maintenance: 'restoring', refuseDraining: true, ok: true },
    { maintenance: 'draining', refuseDraining: true, ok: false },
    { maintenance: 'maintenance', refuseDraining: true, ok: false },
    { maintenance: 'draining', refuseDraining: false, ok: true },
    { maintenance: 'maintenance', refuseDraining: false, ok: true },
  ];
  for (const row of table) {
    it(`${row.maintenance ?? 'not reported (an older agent)'}${row.refuseDraining ? '' : ', going home'}: ${row.ok ? 'passes' : 'refused'}`, () => {
      const s = status(row.maintenance === undefined ? {} : { maintenance: row.maintenance });
      const v = judge(check(row.refuseDraining), facts(s));
      expect(v.ok).toBe(row.ok);
      if (!row.ok) expect(v).toMatchObject({ code: 'XH_ERR_REFUSED', detail: expect.stringContaining('xen2 is') });
    });
  }

  it('an older agent\'s status line (no maintenance field) still parses', () => {
    const { maintenance: _, ...old } = status({ maintenance: 'online' });
    expect(PeerStatusSchema.safeParse(old).success).toBe(true);
  });
});

describe('planMigrate: which moves check the target\'s state, and what a restore is', () => {
  const base: MigrationFacts = {
    host: 'xen2',
    ledger: withVisitor(emptyLedger('xen2'), 'web1', { home: 'xen1', since: '2025-01-01T00:00:00.000Z', operationId: 'op-0' }),
    homes: new Map(),
    homesProblem: null,
    domains: [{ name: 'web1', baseName: 'web1', domid: 3, memMiB: 2048, vcpus: 2, stateLetters: '-b----', state: 'blocked', shutdownReason: null, migration: null, cpuTimeS: 1 }],
    resources: ['r1'],
    drbdPartner: 'xen1',
  };
  const peerStatus = (reason: 'manual' | 'drain' | 'rebalance' | 'restore') => {
    const p = planMigrate(base, { name: 'web1', target: null, reason, operationId: 'op-1', noPeer: false });
    if (!p.ok) throw new Error(p.error.message);
    const pf = p.value.steps.find((s) => s.do === 'preflight');
    return pf?.do === 'preflight' ? pf.checks.find((c) => c.check === 'peer-status') : undefined;
  };
  it('every reason but restore refuses a draining target', () => {
    expect(peerStatus('manual')).toMatchObject({ refuseDraining: true });
    expect(peerStatus('drain')).toMatchObject({ refuseDraining: true });
    expect(peerStatus('rebalance')).toMatchObject({ refuseDraining: true });
    expect(peerStatus('restore')).toMatchObject({ refuseDraining: false });
  });
  it('a restore of a visitor goes to its home and ends its record here; anywhere else is refused', () => {
    const p = planMigrate(base, { name: 'web1', target: 'xen1', reason: 'restore', operationId: 'op-1', noPeer: false });
    expect(p.ok && p.value.steps.find((s) => s.do === 'record')).toEqual({ do: 'record', change: { kind: 'forget' } });
    const noHome = planMigrate({ ...base, ledger: emptyLedger('xen2'), drbdPartner: null }, { name: 'web1', target: 'xen1', reason: 'restore', operationId: 'op-1', noPeer: false });
    expect(noHome).toMatchObject({ ok: false, error: { code: 'XH_ERR_REFUSED', message: expect.stringContaining("does not know web1's home") } });
  });
  it('telling the target: a visitor going home ends the home\'s away record (the dry run says so), a domU leaving its home makes a visitor', () => {
    const home = planMigrate(base, { name: 'web1', target: null, reason: 'manual', operationId: 'op-1', noPeer: false });
    expect(home.ok && home.value.steps.find((s) => s.do === 'tell')).toEqual({ do: 'tell', peer: 'xen1', goingHome: true });
    expect(home.ok && renderPlan(home.value, null)).toContain('6. tell xen1 (status web1 --not-mine over ssh): web1 is home: it ends its away record\n');
    const homes = new Map([['web1', { name: 'web1', peer: 'xen1', options: [], ignoredOptions: [], source: 'migrate-tab' as const, drbdResources: ['r1'] }]]);
    const away = planMigrate({ ...base, ledger: emptyLedger('xen2'), homes }, { name: 'web1', target: null, reason: 'manual', operationId: 'op-1', noPeer: false });
    expect(away.ok && away.value.steps.find((s) => s.do === 'tell')).toEqual({ do: 'tell', peer: 'xen1', goingHome: false });
    expect(away.ok && renderPlan(away.value, null)).toContain('6. tell xen1 (status web1 over ssh): it records its visitor\n');
    // home by the guarded dir alone: the partner may be the home by its migrate-tab, and its answer may end the away record
    const guardedOnly = new Map([['web1', { ...homes.get('web1')!, source: 'guarded' as const }]]);
    const pair = planMigrate({ ...base, ledger: emptyLedger('xen2'), homes: guardedOnly }, { name: 'web1', target: null, reason: 'manual', operationId: 'op-1', noPeer: false });
    expect(pair.ok && pair.value.steps.find((s) => s.do === 'tell')).toEqual({ do: 'tell', peer: 'xen1', goingHome: false, peerMayBeHome: true });
    expect(pair.ok && renderPlan(pair.value, null)).toContain('6. tell xen1 (status web1 over ssh): it records its visitor (unless its migrate-tab names web1: then it is home, and the away record here ends)\n');
  });
});

describe('planReverse: a home draining or in maintenance takes nothing back', () => {
  // xen1, web1's home: its ledger says web1 left for xen2
  const home = (maintenance: MigrationFacts['maintenance']): MigrationFacts => ({
    host: 'xen1',
    ledger: withAway(emptyLedger('xen1'), 'web1', { home: 'xen1', currentHost: 'xen2', since: '2025-01-01T00:00:00.000Z', reason: 'manual', operationId: 'op-0' }),
    homes: new Map(),
    homesProblem: null,
    domains: [],
    resources: ['r1'],
    drbdPartner: 'xen2',
    ...(maintenance === undefined ? {} : { maintenance }),
  });
  for (const state of ['draining', 'maintenance'] as const) {
    it(`${state}: refused, naming the restore that brings its domUs home`, () => {
      expect(planReverse(home(state), 'web1')).toEqual({ ok: false, error: { code: 'XH_ERR_REFUSED', message: `xen1 is ${state === 'draining' ? 'draining' : 'in maintenance'}: it takes no domUs until it is online again; \`xenherdctl restore xen1\` brings its domUs home` } });
    });
  }
  for (const state of [undefined, 'online', 'restoring'] as const) {
    it(`${state ?? 'no flag'}: planned`, () => expect(planReverse(home(state), 'web1').ok).toBe(true));
  }
});

describe('preflight of a reverse: the Dom0 the ledger names does not run the domU', () => {
  it('refused as a ledger mismatch, saying how to start it here when it runs nowhere', () => {
    const v = judge({ check: 'peer-status', peer: 'xen2', wantPresent: true, refuseDraining: false }, facts(status({ present: 'absent' })));
    expect(v).toMatchObject({
      ok: false,
      code: 'XH_ERR_LEDGER_MISMATCH',
      detail:
        'the ledger here says web1 is on xen2, but xen2 answers it does not run there: check both hosts; if it runs nowhere (xen2 reinstalled, or a move cut short after its shutdown), start it here instead: `xenherdctl restore xen1`, or without a controller `xenherd-agent autostart start --force web1` (a guarded domU; else `xl create` it, then `xenherd-agent reconcile web1`)',
    });
  });
});
