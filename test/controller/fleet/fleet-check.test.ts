import { describe, expect, it } from 'vitest';
import { checkFleet } from '../../../controller/fleet/fleet-check.js';
import type { HostRecord } from '../../../controller/fleet/host-record.js';
import { mergeFleet, mergedStatus } from '../../../controller/fleet/merge.js';
import type { HostState } from '../../../shared/protocol/agent-link-state.js';
import { DEFAULT_CHECK_THRESHOLDS, type CheckAnswer } from '../../../shared/protocol/ctl-check.js';
import { away, dom, guarded, hostState, primary, record, unsettled } from '../states.js';
import { checkAt } from './check-bed.js';

// The monitoring verdict as a pure function of the agents' records: every condition, its status,
// where the thresholds fall, and what the status line and perfdata say.
const NOW = 1_700_000_000_000;
const fresh = { now: NOW, staleAfterMs: 15_000 };
const MIN = 60_000;
const iso = (ms: number): string => new Date(ms).toISOString();

/** A reachable record, heard from just now, online since `onlineFor` ago (null: unknown). */
const host = (name: string, parts: Partial<HostState> = {}, o: { onlineFor?: number | null; lastSeen?: number; linkUp?: boolean } = {}): HostRecord => {
  const state = hostState(parts);
  const since = o.onlineFor === undefined ? NOW - 24 * 60 * MIN : o.onlineFor === null ? null : NOW - o.onlineFor;
  // a time given is one this controller saw the host enter its state; the default one it first heard of it
  const seen = typeof o.onlineFor === 'number' ? { seenEntering: true as const } : {};
  return { ...record(name, state, o.lastSeen ?? NOW, o.linkUp ?? true), maintenanceSince: since === null ? null : { state: state.maintenance.state, since, ...seen } };
};

/** A healthy pair: web1 (home xen1, DRBD r1 replicated to xen2) runs at home. */
const pair = (x1: Partial<HostState> = {}, x2: Partial<HostState> = {}, o1 = {}, o2 = {}): HostRecord[] => [
  host('xen1', { domains: [dom('web1')], homes: [{ name: 'web1', peer: 'xen2', source: 'migrate-tab' }], guarded: [guarded('web1', ['r1'])], drbd: { availability: 'ok', resources: [primary('r1', 'xen2')] }, ...x1 }, o1),
  host('xen2', { drbd: { availability: 'ok', resources: [primary('r1', 'xen1', 'Secondary', 'Primary')] }, ...x2 }, o2),
];

const check = checkAt(fresh);
const perf = (a: CheckAnswer, label: string) => a.perfdata.find((p) => p.label === label);
const lines = (a: CheckAnswer) => a.details.map((d) => `${d.status}: ${d.text}`);

describe('the check verdict over the fleet view', () => {
  it('no Dom0 has reported: UNKNOWN, not OK', () => {
    const a = check([]);
    expect(a).toMatchObject({ status: 'UNKNOWN', summary: 'no Dom0 has reported to this controller yet', details: [] });
  });

  it('a healthy fleet: OK, its counts on the status line and in the perfdata', () => {
    const a = check(pair());
    expect(a).toMatchObject({ status: 'OK', summary: '2 hosts reachable, 1 domU running', details: [] });
    expect(a.perfdata.map((p) => [p.label, p.value])).toEqual([
      ['hosts', 2],
      ['hosts_unreachable', 0],
      ['hosts_in_maintenance', 0],
      ['domus_running', 1],
      ['domus_away', 0],
      ['alerts', 0],
      ['drbd_not_uptodate', 0],
      ['deferred_max_s', 0],
      ['not_home_max_s', 0],
      ['hosts_draining', 0],
      ['hosts_restoring', 0],
      ['domus_crashed', 0],
      ['domus_down', 0],
      ['domus_unknown', 0],
    ]);
    expect(perf(a, 'deferred_max_s')).toEqual({ label: 'deferred_max_s', value: 0, uom: 's', warn: '300', crit: '900', min: 0, max: null });
    expect(perf(a, 'not_home_max_s')).toMatchObject({ uom: 's', warn: null, crit: '1800' });
    expect(perf(a, 'hosts_unreachable')).toMatchObject({ min: 0, max: 2 });
  });

  describe('an agent unreachable', () => {
    it('link down: CRITICAL, with when it was last heard', () => {
      const a = check(pair({}, {}, {}, { linkUp: false, lastSeen: NOW - 40_000 }));
      expect(a.status).toBe('CRITICAL');
      expect(a.summary).toMatch(/^xen2 unreachable/);
      expect(lines(a)).toContain('CRITICAL: xen2: agent unreachable (last heard 40 s ago): check that xen2 is powered and on the network, then its agent there: systemctl status xenherd-agent, journalctl -u xenherd-agent');
      expect(perf(a, 'hosts_unreachable')?.value).toBe(1);
    });

    it('link up but silent longer than staleAfter: CRITICAL', () => {
      expect(check(pair({}, {}, {}, { lastSeen: NOW - 16_000 })).status).toBe('CRITICAL');
      expect(check(pair({}, {}, {}, { lastSeen: NOW - 15_000 })).status).toBe('OK');
    });

    it('connected but never reported its state: CRITICAL', () => {
      const a = check([...pair(), { ...record('xen3', null, NOW, false), maintenanceSince: null }]);
      expect(a.status).toBe('CRITICAL');
      expect(lines(a)).toContain('CRITICAL: xen3: agent unreachable (last heard 0 s ago): check that xen3 is powered and on the network, then its agent there: systemctl status xenherd-agent, journalctl -u xenherd-agent');
    });

    it('its last report said maintenance (empty, a reboot is expected): WARNING only', () => {
      const a = check(pair({}, { maintenance: { state: 'maintenance', operationId: 'op', owner: 'ctl' } }, {}, { linkUp: false, lastSeen: NOW - 5 * MIN }));
      expect(a.status).toBe('WARNING');
      expect(lines(a)).toContain('WARNING: xen2: agent unreachable (last heard 5 min ago); its last report said it is in maintenance: check that xen2 is powered and on the network, then its agent there: systemctl status xenherd-agent, journalctl -u xenherd-agent');
      // draining is not empty: CRITICAL
      expect(check(pair({}, { maintenance: { state: 'draining', operationId: 'op', owner: 'ctl' } }, {}, { linkUp: false })).status).toBe('CRITICAL');
    });

    it("the domUs only its last report lists are not counted running but unknown; one a reachable host runs too is running", () => {
      const a = check(pair({}, { domains: [dom('app1'), dom('app2')] }, {}, { linkUp: false, lastSeen: NOW - 5 * MIN }));
      expect([perf(a, 'domus_running')?.value, perf(a, 'domus_unknown')?.value]).toEqual([1, 2]);
      // the datum of every controller before it keep their places: the new one is last
      expect(a.perfdata.at(-1)?.label).toBe('domus_unknown');
      const b = check(pair({}, { domains: [dom('web1'), dom('app1')] }, {}, { linkUp: false, lastSeen: NOW - 5 * MIN }));
      expect([perf(b, 'domus_running')?.value, perf(b, 'domus_unknown')?.value]).toEqual([1, 1]);
      // heard again: its domUs run
      const c = check(pair({}, { domains: [dom('app1'), dom('app2')] }));
      expect([perf(c, 'domus_running')?.value, perf(c, 'domus_unknown')?.value]).toEqual([3, 0]);
    });

    it("a copy of a crashed domU that only an unheard host lists does not make it running", () => {
      const a = check(pair({ domains: [{ ...dom('web1'), state: 'crashed' }] }, { domains: [dom('web1')] }, {}, { linkUp: false, lastSeen: NOW - 5 * MIN }));
      expect([perf(a, 'domus_running')?.value, perf(a, 'domus_crashed')?.value, perf(a, 'domus_unknown')?.value]).toEqual([0, 1, 0]);
    });

    it("an unreachable host's stale DRBD and autostart reports are not judged (its unreachability is)", () => {
      const a = check(pair({}, { drbd: { availability: 'ok', resources: [{ ...primary('r1', 'xen1', 'Secondary', 'Primary'), disk: 'Outdated' }] }, guarded: [guarded('app1', ['r9'], { decision: 'defer', since: iso(NOW - 60 * MIN) })] }, {}, { linkUp: false }));
      expect(lines(a)).toEqual(['CRITICAL: xen2: agent unreachable (last heard 0 s ago): check that xen2 is powered and on the network, then its agent there: systemctl status xenherd-agent, journalctl -u xenherd-agent']);
    });
  });

  describe("the controller's alerts", () => {
    it('a domU running on two hosts: CRITICAL', () => {
      const a = check(pair({}, { domains: [dom('web1')] }));
      expect(a.status).toBe('CRITICAL');
      expect(a.summary).toBe('web1 runs on xen1 and xen2');
      expect(lines(a)[0]).toMatch(/^CRITICAL: alert running-on-two-hosts: web1 runs on xen1 and xen2, not as a migration/);
      expect(perf(a, 'alerts')?.value).toBe(1);
    });

    it('DRBD Primary on both nodes: CRITICAL', () => {
      const a = check(pair({}, { drbd: { availability: 'ok', resources: [primary('r1', 'xen1', 'Primary', 'Primary')] } }));
      expect(a.status).toBe('CRITICAL');
      expect(a.summary).toBe('DRBD r1 Primary on xen1 and xen2');
    });

    it('a home claimed twice and a ledger the fleet contradicts: WARNING', () => {
      const claimed = check([...pair(), host('xen3', { homes: [{ name: 'web1', peer: 'xen4', source: 'migrate-tab' }] })]);
      expect(claimed.status).toBe('WARNING');
      expect(claimed.summary).toContain('web1 claimed as home by xen1 and xen3');
      // db9 runs at home: the record is out of step, the domU is fine
      const ledger = check(pair({ domains: [dom('web1'), dom('db9')], ledger: { seq: 1, away: { db9: away('xen1', 'xen2') }, visitors: {} } }));
      expect(ledger).toMatchObject({ status: 'WARNING', summary: "db9 not where its home's ledger says" });
    });

    it('a domU its home records as away that runs nowhere (a cold move cut short after its shutdown): CRITICAL, saying how to start it', () => {
      const a = check(pair({ ledger: { seq: 1, away: { db9: away('xen1', 'xen2') }, visitors: {} } }));
      expect(a).toMatchObject({ status: 'CRITICAL', summary: "db9 runs nowhere, its home's ledger says it is away" });
      expect(lines(a)[0]).toMatch(/^CRITICAL: alert ledger-away-not-there: the ledger of xen1 says db9 is on xen2 .*no host reports it running: it is down \(a move cut short after its shutdown leaves it so\); `xenherdctl restore xen1` starts it on xen1/);
    });

    it('the same while a Dom0 its disks are on is unheard (a third DRBD node, not reported since the controller started): not called down, no start advised', () => {
      const config = { domus: [{ name: 'db9', source: 'guarded' as const, memMiB: 1024, vcpus: 1, resources: [{ name: 'r9', hosts: ['xen1', 'xen2', 'xen3'] }] }] };
      const xen3: HostRecord = { ...record('xen3', null, NOW, false), lastSeen: null };
      const a = check([...pair({ ...config, ledger: { seq: 1, away: { db9: away('xen1', 'xen2') }, visitors: {} } }), xen3]);
      const line = lines(a).find((l) => l.includes('ledger-away-not-there'));
      expect(line).toMatch(/^WARNING: alert ledger-away-not-there: the ledger of xen1 says db9 is on xen2 .*; no host heard from reports it running, and whether it runs on xen3 \(not heard from since the controller started\) is unknown: start it nowhere before `xenherdctl where db9` hears from that Dom0$/);
      expect(a.summary).not.toContain('runs nowhere');
    });

    it('a domU its home sends to a Dom0 no longer in the fleet (died, then revoked) that runs nowhere: CRITICAL, naming the forced start at home', () => {
      const [x1] = pair({ domains: [], ledger: { seq: 1, away: { web3: away('xen1', 'xen2') }, visitors: {} } });
      const a = check([x1 as HostRecord]);
      expect(a).toMatchObject({ status: 'CRITICAL', summary: "web3 runs nowhere, its home's ledger says it is away" });
      expect(lines(a)[0]).toMatch(/^CRITICAL: alert ledger-away-not-there: the ledger of xen1 sends web3 to xen2 .*not in this controller's fleet .*`xenherd-agent autostart start --force web3 --reason TEXT` on xen1/);
    });

    it("a migration whose end was lost (its sender's half standing over a minute): CRITICAL", () => {
      const [x1, x2] = pair({ domains: [dom('web1', { migration: 'migratedaway' })] }, { domains: [dom('web1')] });
      const a = check([{ ...(x1 as HostRecord), halvesSince: { 'web1--migratedaway': { domid: 7, since: NOW - 2 * MIN } } }, x2 as HostRecord]);
      expect(a.status).toBe('CRITICAL');
      expect(a.summary).toBe('web1: a migration ended without its handshake (xen1, xen2)');
      expect(lines(a)[0]).toMatch(/^CRITICAL: alert migration-stranded: web1--migratedaway has stood on xen1 for 120 s: .*; web1 runs on xen2\. /);
    });
  });

  describe('a migration whose ending a ledger records as unknown', () => {
    it('CRITICAL, named on the status line with the host that ran it, the alert on its own line', () => {
      const a = check(pair({ ledger: { seq: 2, away: {}, visitors: {}, unsettled: { web1: unsettled('xen2', { operation: 'reverse' }) } } }));
      expect(a.status).toBe('CRITICAL');
      expect(a.summary).toBe('web1: a migration xen1 ran ended unknown, not reconciled');
      expect(lines(a)).toEqual([expect.stringMatching(/^CRITICAL: alert migration-unsettled: web1: the reverse xen1 ran with xen2 \(operation op-7, at 2024-05-01T14:02:00\.000Z\) ended in an ALARM \(XH_ERR_MIGRATION_UNKNOWN\); xen1's agent recorded: the migration of its domU ended unknown\. .*; web1 runs on xen1\. .*then run xenherd-agent reconcile web1 on xen1$/)]);
      expect(perf(a, 'alerts')?.value).toBe(1);
    });

    it('still CRITICAL from the last report of a host gone silent, beside that host being unreachable, and said first', () => {
      const a = check(pair({ ledger: { seq: 2, away: {}, visitors: {}, unsettled: { web1: unsettled('xen2') } } }, {}, { lastSeen: NOW - 40_000 }));
      expect(a.status).toBe('CRITICAL');
      // a migration nobody knows the end of may have left two copies: it goes before the silent host
      expect(a.summary).toBe('web1: a migration xen1 ran ended unknown, not reconciled, xen1 unreachable');
      expect(lines(a)).toEqual([
        expect.stringMatching(/^CRITICAL: alert migration-unsettled: web1: the migrate xen1 \(unreachable, last heard 40 s ago\) ran with xen2 /),
        'CRITICAL: xen1: agent unreachable (last heard 40 s ago): check that xen1 is powered and on the network, then its agent there: systemctl status xenherd-agent, journalctl -u xenherd-agent',
      ]);
    });
  });

  describe('a guarded domU whose start is deferred', () => {
    const deferred = (ago: number, o: Partial<ReturnType<typeof guarded>> = {}) =>
      pair({ guarded: [guarded('web1', ['r1']), guarded('app1', ['r9'], { decision: 'defer', reason: 'peer-not-connected', detail: 'DRBD resource r9: the peer is WFConnection', since: iso(NOW - ago), ...o })] });

    it('shorter than --warn-deferred: OK, but the perfdata shows it', () => {
      const a = check(deferred(4 * MIN));
      expect(a.status).toBe('OK');
      expect(perf(a, 'deferred_max_s')?.value).toBe(240);
    });

    it('from --warn-deferred: WARNING; from --crit-deferred: CRITICAL', () => {
      expect(check(deferred(5 * MIN)).status).toBe('WARNING');
      const w = check(deferred(6 * MIN));
      expect(w.summary).toBe('app1 deferred 6 min on xen1');
      expect(lines(w)).toEqual(['WARNING: app1: not running anywhere, its start deferred on xen1 for 6 min (peer-not-connected: DRBD resource r9: the peer is WFConnection)']);
      expect(check(deferred(15 * MIN)).status).toBe('CRITICAL');
      expect(check(deferred(16 * MIN)).status).toBe('CRITICAL');
    });

    it('the thresholds are the ones asked', () => {
      expect(check(deferred(2 * MIN), { thresholds: { warnDeferredMs: MIN, critDeferredMs: 3 * MIN } }).status).toBe('WARNING');
      expect(check(deferred(4 * MIN), { thresholds: { warnDeferredMs: MIN, critDeferredMs: 3 * MIN } }).status).toBe('CRITICAL');
      expect(check(deferred(20 * MIN), { thresholds: { warnDeferredMs: 30 * MIN, critDeferredMs: 60 * MIN } }).status).toBe('OK');
    });

    it('a deferred domU the fleet sees running elsewhere is not down: OK', () => {
      const a = check(pair({ guarded: [guarded('web1', ['r1'])] }, { domains: [dom('app1')], guarded: [] }).map((r) => (r.host === 'xen1' ? { ...r, state: { ...r.state!, guarded: [guarded('app1', ['r9'], { decision: 'defer', since: iso(NOW - 60 * MIN) })] } } : r)));
      expect(a.status).toBe('OK');
    });

    it('its DRBD partner (as its config names it) not heard from since the controller started: not called down, and not CRITICAL on its own', () => {
      const config = { domus: [{ name: 'app1', source: 'guarded' as const, memMiB: 1024, vcpus: 1, resources: [{ name: 'r9', hosts: ['xen1', 'xen3'] }] }] };
      const xen3: HostRecord = { ...record('xen3', null, NOW, false), lastSeen: null };
      const [xen1, xen2] = deferred(60 * MIN);
      const a = check([{ ...xen1!, state: { ...xen1!.state!, ...config } }, xen2!, xen3]);
      const line = lines(a).find((l) => l.includes('app1:'));
      expect(line).toBe(
        'WARNING: app1: not seen running (unknown whether it runs on xen3 (not heard from since the controller started)), its start deferred on xen1 for 60 min (peer-not-connected: DRBD resource r9: the peer is WFConnection)',
      );
      // xen3's own line is the CRITICAL one
      expect(lines(a)).toContain('CRITICAL: xen3: agent unreachable (never heard from): check that xen3 is powered and on the network, then its agent there: systemctl status xenherd-agent, journalctl -u xenherd-agent');
    });

    it('skip and start are not deferrals', () => {
      expect(check(deferred(60 * MIN, { decision: 'skip', reason: 'peer-primary' })).status).toBe('OK');
      expect(check(deferred(60 * MIN, { decision: 'start', reason: null })).status).toBe('OK');
    });
  });

  describe('a domU away from its home', () => {
    /** web1 runs on xen2 (whose ledger records it as a visitor from xen1); xen1 (its home) has been online for `onlineFor` */
    const awayFleet = (onlineFor: number | null, x1: Partial<HostState> = {}, o1 = {}, x2: Partial<HostState> = {}) =>
      pair(
        { domains: [], drbd: { availability: 'ok', resources: [primary('r1', 'xen2', 'Secondary', 'Primary')] }, ...x1 },
        { domains: [dom('web1')], drbd: { availability: 'ok', resources: [primary('r1', 'xen1')] }, ledger: { seq: 1, away: {}, visitors: { web1: { home: 'xen1', since: iso(NOW - 60 * MIN), operationId: 'op-1' } } }, ...x2 },
        { onlineFor, ...o1 },
      );

    it('with no ledger recording it (neither away at home nor a visitor where it runs), the alert says so beside the WARNING', () => {
      const a = check(awayFleet(10 * MIN, {}, {}, { ledger: { seq: 0, away: {}, visitors: {} } }));
      expect(a.status).toBe('WARNING');
      expect(lines(a)).toEqual([
        expect.stringMatching(/^WARNING: alert away-unrecorded: web1 runs on xen2, away from its home xen1, and no ledger records it there .*xenherd-agent reconcile web1 --home xen1 on xen2 records it where it is$/),
        'WARNING: web1 runs on xen2, not on its home xen1, which is online: for 0 s since the controller first saw it there (no ledger records the move); CRITICAL after 30 min: xenherdctl restore xen1 brings it home',
      ]);
    });

    it('with no ledger recording it, the time away counts from the alert, not from when the home came online weeks ago', () => {
      const fleet = awayFleet(30 * 24 * 60 * MIN, {}, {}, { ledger: { seq: 0, away: {}, visitors: {} } });
      const m = mergeFleet(fleet, fresh);
      const alerts = mergedStatus(m, fresh).alerts.map((a) => (a.kind === 'away-unrecorded' ? { ...a, since: NOW - 5 * MIN } : a));
      const a = checkFleet(m.index, alerts, fresh, DEFAULT_CHECK_THRESHOLDS);
      expect(a.status).toBe('WARNING');
      expect(lines(a)).toContain('WARNING: web1 runs on xen2, not on its home xen1, which is online: for 5 min since the controller first saw it there (no ledger records the move); CRITICAL after 30 min: xenherdctl restore xen1 brings it home');
      expect(perf(a, 'not_home_max_s')?.value).toBe(300);
      // before its alert is raised, when it left is unknown: a WARNING only
      const early = checkFleet(m.index, [], fresh, DEFAULT_CHECK_THRESHOLDS);
      expect(lines(early)).toEqual(['WARNING: web1 runs on xen2, not on its home xen1, which is online (since when is unknown): xenherdctl restore xen1 brings it home']);
    });

    it('a visitor record where it runs says when it left its home, when the home came online before', () => {
      const a = check(awayFleet(90 * MIN));
      expect(lines(a)).toEqual(['CRITICAL: web1 runs on xen2, not on its home xen1, which is online: for 60 min since it left xen1: xenherdctl restore xen1 brings it home']);
    });

    it('home online for less than --not-home-after: WARNING', () => {
      const a = check(awayFleet(10 * MIN));
      expect(a.status).toBe('WARNING');
      expect(a.summary).toBe('web1 away from xen1');
      expect(lines(a)).toEqual(['WARNING: web1 runs on xen2, not on its home xen1, which is online: for 10 min since xen1 came online; CRITICAL after 30 min: xenherdctl restore xen1 brings it home']);
      expect(perf(a, 'domus_away')?.value).toBe(1);
      expect(perf(a, 'not_home_max_s')?.value).toBe(600);
    });

    it('home online for --not-home-after or longer: CRITICAL', () => {
      expect(check(awayFleet(30 * MIN)).status).toBe('CRITICAL');
      const a = check(awayFleet(45 * MIN));
      expect(a.summary).toBe('web1 not home on xen1 after 45 min');
      expect(check(awayFleet(45 * MIN), { thresholds: { notHomeAfterMs: 60 * MIN } }).status).toBe('WARNING');
    });

    it('it left after the home came online (a manual migration): counted from when it left', () => {
      const left = awayFleet(5 * 60 * MIN, { ledger: { seq: 1, away: { web1: away('xen1', 'xen2', { since: iso(NOW - 10 * MIN) }) }, visitors: {} } });
      expect(lines(check(left))).toEqual(['WARNING: web1 runs on xen2, not on its home xen1, which is online: for 10 min since it left xen1; CRITICAL after 30 min: xenherdctl restore xen1 brings it home']);
      // left before the home came back online: from when it came online
      const before = awayFleet(10 * MIN, { ledger: { seq: 1, away: { web1: away('xen1', 'xen2', { since: iso(NOW - 5 * 60 * MIN) }) }, visitors: {} } });
      expect(lines(check(before))[0]).toContain('for 10 min since xen1 came online');
    });

    // a migration that ended unknown left web1 away: the CRITICAL said no restore moves it while this
    // line said "xenherdctl restore xen1 brings it home", and restore then left it where it was
    it('with an unsettled migration of it: the way home waits for the settling, as the alert says', () => {
      const a = check(awayFleet(null, { ledger: { seq: 2, away: {}, visitors: {}, unsettled: { web1: unsettled('xen2') } } }));
      expect(lines(a)).toContain(
        'WARNING: web1 runs on xen2, not on its home xen1, which is online (since when is unknown): once its migration-unsettled alert is settled, xenherdctl restore xen1 brings it home (until then restore leaves it where it is)',
      );
      expect(lines(a)[0]).toMatch(/^CRITICAL: alert migration-unsettled: web1: .*no xenherdctl drain, roll, restore, rebalance, migrate or reverse moves or starts it/);
    });

    it('when the home came online is unknown: WARNING, never a guess at CRITICAL', () => {
      const a = check(awayFleet(null));
      expect(lines(a)).toEqual(['WARNING: web1 runs on xen2, not on its home xen1, which is online (since when is unknown): xenherdctl restore xen1 brings it home']);
    });

    it('a home in maintenance, draining or restoring is expected to be empty: OK', () => {
      for (const state of ['maintenance', 'draining', 'restoring'] as const) {
        // a drain or restore job works on it (without one, it is a WARNING of its own: unheld-maintenance.test.ts)
        const a = check(awayFleet(60 * MIN, { maintenance: { state, operationId: 'op', owner: 'ctl' } }), { jobHosts: ['xen1'] });
        expect(a.status, state).toBe('OK');
        expect(a.summary).toBe('2 hosts reachable, 1 domU running, 1 away from a home not online');
        expect(perf(a, 'hosts_in_maintenance')?.value).toBe(1);
      }
    });

    it('each state counted apart: hosts_in_maintenance every host not online (as status says it), hosts_draining and hosts_restoring their own', () => {
      const m = (state: 'draining' | 'maintenance' | 'restoring') => ({ maintenance: { state, operationId: 'op', owner: 'ctl' } });
      const a = check([host('xen1'), host('xen2', m('draining')), host('xen3', m('maintenance')), host('xen4', m('restoring')), host('xen5', m('draining'))]);
      expect([perf(a, 'hosts_in_maintenance')?.value, perf(a, 'hosts_draining')?.value, perf(a, 'hosts_restoring')?.value]).toEqual([4, 2, 1]);
      expect(perf(a, 'hosts_draining')).toMatchObject({ min: 0, max: 5 });
      // only draining: in maintenance proper is hosts_in_maintenance - hosts_draining - hosts_restoring = 0
      const draining = check([host('xen1'), host('xen2', m('draining'))]);
      expect(draining.perfdata.filter((p) => p.label.startsWith('hosts_') && p.label !== 'hosts_unreachable').map((p) => [p.label, p.value])).toEqual([
        ['hosts_in_maintenance', 1],
        ['hosts_draining', 1],
        ['hosts_restoring', 0],
      ]);
    });

    it('an unreachable home is reported as unreachable, not as a domU away', () => {
      expect(lines(check(awayFleet(60 * MIN, {}, { linkUp: false })))).toEqual(['CRITICAL: xen1: agent unreachable (last heard 0 s ago): check that xen1 is powered and on the network, then its agent there: systemctl status xenherd-agent, journalctl -u xenherd-agent']);
    });

    it('mid-migration is not away; running nowhere is not away', () => {
      const moving = awayFleet(60 * MIN, { domains: [dom('web1', { migration: 'incoming' })] });
      expect(check(moving.map((r) => (r.host === 'xen2' ? { ...r, state: { ...r.state!, domains: [dom('web1', { migration: 'migratedaway' })] } } : r))).status).toBe('OK');
      const nowhere = awayFleet(60 * MIN);
      expect(check(nowhere.map((r) => (r.host === 'xen2' ? { ...r, state: { ...r.state!, domains: [] } } : r))).status).toBe('OK');
    });
  });

  describe('DRBD not UpToDate: WARNING', () => {
    it('the local disk', () => {
      const a = check(pair({}, { drbd: { availability: 'ok', resources: [{ ...primary('r1', 'xen1', 'Secondary', 'Primary'), disk: 'Inconsistent' }] } }));
      expect(a).toMatchObject({ status: 'WARNING', summary: 'DRBD r1 (web1) not UpToDate on xen2' });
      expect(lines(a)).toEqual(['WARNING: DRBD r1 (web1) on xen2: disk Inconsistent']);
      expect(perf(a, 'drbd_not_uptodate')?.value).toBe(1);
    });

    it("a peer's disk while Connected (a resync)", () => {
      const syncing = { ...primary('r1', 'xen2'), peers: [{ name: 'xen2', role: 'Secondary' as const, connection: 'Connected', disk: 'Inconsistent', replication: 'SyncSource' }] };
      expect(check(pair({ drbd: { availability: 'ok', resources: [syncing] } }))).toMatchObject({ status: 'WARNING', summary: 'DRBD r1 (web1) not UpToDate on xen1', details: [{ status: 'WARNING', text: 'DRBD r1 (web1) on xen1: peer xen2 Inconsistent' }] });
    });

    it('a peer not connected: its connection state, that nothing replicates, and what to look at', () => {
      const peerLost = { ...primary('r1', 'xen2'), peers: [{ name: 'xen2', role: null, connection: 'StandAlone', disk: 'DUnknown', replication: null }] };
      expect(lines(check(pair({ drbd: { availability: 'ok', resources: [peerLost] } })))).toEqual(['WARNING: DRBD r1 (web1) on xen1: peer xen2 not connected (StandAlone): nothing replicates; after a split brain, see "DRBD split brain" in the README']);
      const connecting = { ...primary('r1', 'xen2'), peers: [{ name: 'xen2', role: 'Unknown' as const, connection: 'Connecting', disk: 'DUnknown', replication: null }] };
      expect(check(pair({ drbd: { availability: 'ok', resources: [connecting] } }))).toMatchObject({
        status: 'WARNING',
        summary: 'DRBD r1 (web1) not connected on xen1',
        // the peer Dom0 by name, as DRBD 9 names it
        details: [{ status: 'WARNING', text: 'DRBD r1 (web1) on xen1: peer xen2 not connected (Connecting): replication is down while its peer Dom0 xen2 is up and reporting: is r1 up there, and the network between them? drbdadm status r1 on both' }],
      });
    });

    it("DRBD 8.4 (its one peer named \"peer\"): the state in 8.4's words, WFConnection as /proc/drbd says cs:WFConnection, not drbd-utils' Connecting", () => {
      const as84 = (connection: string) => ({ ...primary('r1', 'xen2'), peers: [{ name: 'peer', role: 'Unknown' as const, connection, disk: 'DUnknown', replication: null }] });
      expect(lines(check(pair({ drbd: { availability: 'ok', resources: [as84('Connecting')] } })))).toEqual([
        "WARNING: DRBD r1 (web1) on xen1: the peer not connected (WFConnection): replication is down; look at the peer's Dom0 (is it up, is r1 up there?) and the network between them: drbdadm status r1 on both",
      ]);
      // 8.4's other words are 8.4's own already
      for (const w of ['StandAlone', 'WFConnection', 'NetworkFailure']) expect(lines(check(pair({ drbd: { availability: 'ok', resources: [as84(w)] } })))[0]).toContain(`the peer not connected (${w})`);
    });

    it('a peer not connected is flagged whatever disk the report gives it (one last heard before the link went)', () => {
      for (const connection of ['Connecting', 'StandAlone', 'NetworkFailure', 'WFConnection']) {
        const stale = { ...primary('r1', 'xen2', 'Secondary', 'Primary'), peers: [{ name: 'xen1', role: 'Unknown' as const, connection, disk: 'UpToDate', replication: null }] };
        const a = check(pair({}, { drbd: { availability: 'ok', resources: [stale] } }));
        expect(a).toMatchObject({ status: 'WARNING', summary: 'DRBD r1 (web1) not connected on xen2' });
        expect(lines(a)[0]).toMatch(new RegExp(`^WARNING: DRBD r1 \\(web1\\) on xen2: peer xen1 not connected \\(${connection}\\): `));
      }
    });

    it('DRBD 8.4 has one peer and no host name for it: "the peer", whether named "peer" or, StandAlone in an events2 dump, by its node id', () => {
      const connecting = { ...primary('r1', 'xen2'), peers: [{ name: 'peer', role: null, connection: 'Connecting', disk: 'DUnknown', replication: null }] };
      expect(lines(check(pair({ drbd: { availability: 'ok', resources: [connecting] } })))[0]).toMatch(/^WARNING: DRBD r1 \(web1\) on xen1: the peer not connected \(WFConnection\): replication is down; /);
      const unnamed = { ...primary('r1', 'xen2'), peers: [{ name: 'node-id:0', role: 'Unknown' as const, connection: 'StandAlone', disk: 'DUnknown', replication: null }] };
      expect(lines(check(pair({ drbd: { availability: 'ok', resources: [unnamed] } })))).toEqual(['WARNING: DRBD r1 (web1) on xen1: the peer not connected (StandAlone): nothing replicates; after a split brain, see "DRBD split brain" in the README']);
      // with several peers (DRBD 9) each keeps the name it has, whatever it is
      const two = { ...primary('r1', 'xen2'), peers: [{ name: 'node-id:2', role: null, connection: 'Connecting', disk: 'DUnknown', replication: null }, { name: 'xen3', role: 'Secondary' as const, connection: 'Connected', disk: 'UpToDate', replication: 'Established' }] };
      expect(lines(check(pair({ drbd: { availability: 'ok', resources: [two] } })))[0]).toMatch(/^WARNING: DRBD r1 \(web1\) on xen1: peer node-id:2 not connected \(Connecting\): /);
    });

    it('a resource that is down (no disk state) or sees no peer', () => {
      // it read "DRBD r1 not UpToDate on xen2 ... disk unknown, no peer": a degraded replica, for a
      // resource not up there, or not defined there at all (a guarded config copied to a Dom0 that is no peer of it)
      const down = { name: 'r1', role: null, disk: null, peers: [] };
      const a = check(pair({}, { drbd: { availability: 'ok', resources: [down] } }));
      expect(a.summary).toBe('DRBD r1 not up on xen2');
      expect(lines(a)).toEqual(['WARNING: DRBD r1 on xen2: not up (drbdadm up r1 on xen2; `drbdadm status r1` there says when it is not defined)']);
      // up and StandAlone on DRBD 8.4 (a split brain, or disconnected by hand): its status lists no peer
      const standAlone = { ...primary('r1', 'xen2'), peers: [] };
      expect(lines(check(pair({ drbd: { availability: 'ok', resources: [standAlone] } })))).toEqual(['WARNING: DRBD r1 (web1) on xen1: no peer connection (StandAlone): nothing replicates; after a split brain, see "DRBD split brain" in the README']);
    });
  });

  it('the worst status wins; CRITICAL lines first, two copies of a domU before silent hosts; more than three problems are counted by kind', () => {
    const a = check([
      ...pair({ drbd: { availability: 'ok', resources: [{ ...primary('r1', 'xen2'), disk: 'Outdated' }] } }, { domains: [dom('web1')] }),
      host('xen3', {}, { linkUp: false }),
      host('xen4', {}, { linkUp: false }),
    ]);
    expect(a.status).toBe('CRITICAL');
    expect(a.details.map((d) => d.status)).toEqual(['CRITICAL', 'CRITICAL', 'CRITICAL', 'WARNING']);
    // within a status: a split brain first, then unreachable hosts, deferrals, domUs away, DRBD
    expect(a.summary).toBe('1 domU running on two hosts (web1), 2 hosts unreachable (xen3, xen4), 1 DRBD resource degraded (r1 on xen1)');
    expect(a.details.map((d) => [d.kind, d.subject])).toEqual([['running-on-two-hosts', 'web1'], ['host-unreachable', 'xen3'], ['host-unreachable', 'xen4'], ['drbd-degraded', 'r1 on xen1']]);
  });
});
