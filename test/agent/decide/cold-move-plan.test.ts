import { describe, expect, it } from 'vitest';
import { planColdStart, planColdStop, type ColdStartFacts, type ColdStopFacts } from '../../../agent/decide/cold-move-plan.js';
import type { HomeEntry } from '../../../agent/decide/home-claim.js';
import { emptyLedger, withAway, withVisitor } from '../../../agent/state/ledger.js';
import type { DrbdResourceView, InventoryDomain } from '../../../shared/inventory.js';

// The two halves of a cold move as pure decisions: what each refuses, and what it records.

const dom = (name: string, over: Partial<InventoryDomain> = {}): InventoryDomain => ({ name, baseName: name.replace(/--(incoming|migratedaway)$/, ''), domid: 5, memMiB: 2048, vcpus: 2, stateLetters: '-b----', state: 'blocked', shutdownReason: null, migration: null, cpuTimeS: 1, ...over });
const DOM0 = dom('Domain-0', { domid: 0, baseName: 'Domain-0' });
const home = (name: string, peer: string): HomeEntry => ({ name, peer, options: [], ignoredOptions: [], drbdResources: ['r1'], source: 'migrate-tab' });
const SINCE = '2025-01-01T00:00:00.000Z';

const view = (role: 'Primary' | 'Secondary', peerRole: 'Primary' | 'Secondary' | null, connection: 'Connected' | 'WFConnection' = 'Connected'): DrbdResourceView => ({
  name: 'r1',
  up: true,
  role,
  peerRole,
  connection,
  disk: 'UpToDate',
  peerDisk: 'UpToDate',
  peers: [{ name: 'peer', role: peerRole, connection, disk: 'UpToDate', replication: 'Established', syncedPercent: null }],
});
const stopFacts = (over: Partial<ColdStopFacts> = {}): ColdStopFacts => ({
  host: 'xen1',
  ledger: emptyLedger('xen1'),
  homes: new Map([['web1', home('web1', 'xen2')]]),
  homesProblem: null,
  domains: [DOM0, dom('web1')],
  resources: ['r1'],
  drbdPartner: 'xen2',
  resourceHosts: new Map([['r1', { hosts: ['xen1', 'xen2'], file: '/etc/drbd.d/r1.res' }]]),
  drbd: { host: 'xen1', resources: new Map([['r1', view('Primary', 'Secondary')]]) },
  ...over,
});
const stop = (f: ColdStopFacts, target = 'xen2', reason: 'drain' | 'manual' = 'drain') => planColdStop(f, { name: 'web1', target, reason, operationId: 'op-1', shutdownWaitMs: 60_000 });

describe('planColdStop', () => {
  it('a home records web1 away to the target, for a drain', () => {
    expect(stop(stopFacts())).toMatchObject({ ok: true, value: { from: 'xen1', to: 'xen2', resources: ['r1'], change: { kind: 'away', currentHost: 'xen2', reason: 'drain' }, shutdownWaitMs: 60_000 } });
  });
  it('by hand, the away record says manual', () => {
    expect(stop(stopFacts(), 'xen2', 'manual')).toMatchObject({ ok: true, value: { change: { kind: 'away', currentHost: 'xen2', reason: 'manual' } } });
  });
  it('a visitor\'s record ends', () => {
    const f = stopFacts({ homes: new Map(), ledger: withVisitor(emptyLedger('xen1'), 'web1', { home: 'xen2', since: SINCE, operationId: 'op-0' }) });
    expect(stop(f)).toMatchObject({ ok: true, value: { change: { kind: 'forget' } } });
  });
  const refusals: { why: string; f: ColdStopFacts; target?: string; code: string }[] = [
    { why: 'not running here', f: stopFacts({ domains: [DOM0] }), code: 'XH_ERR_NOT_FOUND' },
    { why: 'mid-migration', f: stopFacts({ domains: [DOM0, dom('web1--migratedaway', { migration: 'migratedaway' })] }), code: 'XH_ERR_LOCKED' },
    { why: 'the target is this host', f: stopFacts(), target: 'xen1', code: 'XH_ERR_REFUSED' },
    { why: 'the target holds no replica', f: stopFacts(), target: 'xen3', code: 'XH_ERR_REFUSED' },
    { why: 'no config here: its disks unknown', f: stopFacts({ resources: null }), code: 'XH_ERR_REFUSED' },
    { why: 'a resource file unreadable', f: stopFacts({ resourceHosts: new Map([['r1', { problem: 'EACCES' }]]) }), code: 'XH_ERR_CONFIG' },
    { why: 'the homes unreadable', f: stopFacts({ homesProblem: { code: 'XH_ERR_CONFIG', message: 'migrate-tab line 3' } }), code: 'XH_ERR_CONFIG' },
  ];
  for (const r of refusals) it(`refuses: ${r.why}`, () => expect(stop(r.f, r.target)).toMatchObject({ ok: false, error: { code: r.code } }));
  it('a domU without DRBD disks may go anywhere', () => {
    expect(stop(stopFacts({ resources: [], resourceHosts: new Map() }), 'xen3')).toMatchObject({ ok: true, value: { resources: [] } });
  });
});

const startFacts = (over: Partial<ColdStartFacts> = {}): ColdStartFacts => ({
  host: 'xen2',
  ledger: emptyLedger('xen2'),
  homes: new Map(),
  homesProblem: null,
  domains: [DOM0],
  resources: ['r1'],
  drbdPartner: 'xen1',
  config: { path: '/etc/xen/web1.cfg', resources: ['r1'] },
  maintenance: 'online',
  drbd: { availability: 'ok', resources: new Map([['r1', view('Secondary', 'Secondary')]]) },
  resHosts: new Map([['r1', ['xen1', 'xen2']]]),
  ...over,
});
const startPlan = (f: ColdStartFacts, from = 'xen1') => planColdStart(f, { name: 'web1', from, operationId: 'op-1' });

describe('planColdStart', () => {
  it('starts a visitor from its config and records its home (the DRBD partner)', () => {
    expect(startPlan(startFacts())).toMatchObject({ ok: true, value: { to: 'xen2', configPath: '/etc/xen/web1.cfg', record: { kind: 'visitor', home: 'xen1' } } });
  });
  it('back home: its away record to the source ends', () => {
    const f = startFacts({ homes: new Map([['web1', home('web1', 'xen1')]]), ledger: withAway(emptyLedger('xen2'), 'web1', { home: 'xen2', currentHost: 'xen1', since: SINCE, operationId: 'op-0', reason: 'drain' }) });
    expect(startPlan(f)).toMatchObject({ ok: true, value: { record: { kind: 'forget' } } });
  });
  const refusals: { why: string; f: ColdStartFacts; code: string; says?: string }[] = [
    { why: 'no config here', f: startFacts({ config: null }), code: 'XH_ERR_NOT_FOUND' },
    { why: 'already listed here', f: startFacts({ domains: [DOM0, dom('web1--incoming', { migration: 'incoming' })] }), code: 'XH_ERR_REFUSED', says: 'already shows web1--incoming' },
    { why: 'a peer Primary', f: startFacts({ drbd: { availability: 'ok', resources: new Map([['r1', view('Secondary', 'Primary')]]) } }), code: 'XH_ERR_REFUSED', says: 'Primary on the peer' },
    { why: 'the peer not connected (a deferral)', f: startFacts({ drbd: { availability: 'ok', resources: new Map([['r1', view('Secondary', null, 'WFConnection')]]) } }), code: 'XH_ERR_REFUSED', says: 'WFConnection' },
    { why: 'the resource unread', f: startFacts({ drbd: { availability: 'ok', resources: new Map() } }), code: 'XH_ERR_REFUSED', says: 'could not be read' },
    { why: 'DRBD module not loaded', f: startFacts({ drbd: { availability: 'module-not-loaded', resources: new Map() } }), code: 'XH_ERR_REFUSED' },
    { why: 'this host draining', f: startFacts({ maintenance: 'draining' }), code: 'XH_ERR_REFUSED', says: 'maintenance' },
    {
      why: 'the ledger here says it went elsewhere',
      f: startFacts({ homes: new Map([['web1', home('web1', 'xen1')]]), ledger: withAway(emptyLedger('xen2'), 'web1', { home: 'xen2', currentHost: 'xen3', since: SINCE, operationId: 'op-0', reason: 'drain' }) }),
      code: 'XH_ERR_REFUSED',
      says: 'is on xen3',
    },
  ];
  for (const r of refusals) {
    it(`refuses: ${r.why}`, () => {
      const p = startPlan(r.f);
      expect(p).toMatchObject({ ok: false, error: { code: r.code } });
      if (r.says && !p.ok) expect(p.error.message).toContain(r.says);
    });
  }
});

// A cold move passes the gate a live move's preflight does: the source judges its DRBD link to
// the target on a fresh read before it shuts anything down, and the target's start looks for a
// connection to the Dom0 the domU left, as guarded autostart looks for its partner. A DRBD 9 pair
// whose xen1-xen2 connection is gone (del-peer, or never adjusted in), each side connected to the
// tiebreaker xen3 alone, was shut down on xen1 and started on xen2's disk, missing xen1's writes.
const RES3 = { hosts: ['xen1', 'xen2', 'xen3'], file: '/etc/drbd.d/r1.res' };
const toTiebreaker = (role: 'Primary' | 'Secondary'): DrbdResourceView => ({
  ...view(role, 'Secondary'),
  peers: [{ name: 'xen3', role: 'Secondary', connection: 'Connected', disk: 'Diskless', replication: 'Established', syncedPercent: null }],
});

describe("a cold move passes the live move's DRBD gate", () => {
  it('the source refuses a pair not connected, naming the state and the fix, before anything is shut down', () => {
    const r = stop(stopFacts({ drbd: { host: 'xen1', resources: new Map([['r1', view('Primary', null, 'WFConnection')]]) } }));
    expect(r).toMatchObject({ ok: false, error: { code: 'XH_ERR_REFUSED', message: expect.stringMatching(/^web1 is not shut down for xen2, it still runs on xen1: DRBD r1 on xen1 is WFConnection \(disk UpToDate, peer UpToDate\): DRBD is trying to reach xen2/) } });
  });
  it('the source refuses a DRBD 9 kernel connected to the tiebreaker alone: no connection to the target', () => {
    const f = stopFacts({ resourceHosts: new Map([['r1', RES3]]), drbd: { host: 'xen1', resources: new Map([['r1', toTiebreaker('Primary')]]) } });
    expect(stop(f)).toMatchObject({ ok: false, error: { code: 'XH_ERR_REFUSED', message: expect.stringContaining('DRBD r1 on xen1 has no connection to xen2 (its peers: xen3; disk UpToDate): connect it (`drbdadm adjust r1`') } });
  });
  it('the source refuses when its DRBD state could not be read, with that failure\'s code', () => {
    const f = stopFacts({ drbd: { host: 'xen1', resources: new Map([['r1', { code: 'XH_ERR_TOOL_FAILED', message: 'drbdadm status r1: exit 10' }]]) } });
    expect(stop(f)).toMatchObject({ ok: false, error: { code: 'XH_ERR_TOOL_FAILED', message: expect.stringContaining('cannot read the DRBD state of r1 here (drbdadm status r1: exit 10)') } });
  });
  it("the source's own disk detached is the way off it: shut down for a target whose disk is UpToDate", () => {
    const f = stopFacts({ drbd: { host: 'xen1', resources: new Map([['r1', { ...view('Primary', 'Secondary'), disk: 'Diskless' }]]) } });
    expect(stop(f)).toMatchObject({ ok: true });
  });
  it('the target refuses a start with no connection to the Dom0 the domU left, though its tiebreaker is Connected', () => {
    const f = startFacts({ resHosts: new Map([['r1', RES3.hosts]]), drbd: { availability: 'ok', resources: new Map([['r1', toTiebreaker('Secondary')]]) } });
    expect(startPlan(f)).toMatchObject({ ok: false, error: { code: 'XH_ERR_REFUSED', message: expect.stringContaining('web1 is not started on xen2: DRBD resource r1 has no connection to xen1, the domU\'s partner') } });
  });
});
