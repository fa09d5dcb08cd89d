import { describe, expect, it } from 'vitest';
import type { HostRecord } from '../../../controller/fleet/host-record.js';
import { alertProblems } from '../../../controller/fleet/check-conditions.js';
import { FleetIndex } from '../../../controller/fleet/fleet-index.js';
import { fleetFor } from '../../../controller/fleet/fleet-for-agent.js';
import { holdsNothingOf } from '../../../controller/fleet/foreign-claims.js';
import { mergeFleet } from '../../../controller/fleet/merge.js';
import { placementOf } from '../../../controller/fleet/placement.js';
import { routeCommand } from '../../../controller/fleet/route.js';
import { unsettledOf } from '../../../controller/fleet/unsettled.js';
import type { HostState, LinkDrbdResource } from '../../../shared/protocol/agent-link-state.js';
import { away, dom, guarded, hostState, primary, record, unsettled } from '../states.js';

// web01 runs on xen1, its home, on r-web01, which /etc/drbd.d/r-web01.res puts on xen1 and xen2;
// xen2 holds the standby copy of its config. xen9 is enrolled but named by no .res file of web01:
// what it reports of web01 counts only when its side of r-web01 is paired with xen1 or xen2.
const NOW = 1_000_000;
const fresh = { now: NOW, staleAfterMs: 15_000 };
const config = (source: 'guarded' | 'config-dir') => ({ name: 'web01', source, memMiB: 1024, vcpus: 1, resources: [{ name: 'r-web01', hosts: ['xen1', 'xen2'] }] });
const drbd = (...resources: LinkDrbdResource[]): HostState['drbd'] => ({ availability: 'ok', resources });
const xen1 = (parts: Partial<HostState> = {}): HostRecord =>
  record('xen1', hostState({ domains: [dom('web01')], guarded: [guarded('web01')], homes: [{ name: 'web01', peer: 'xen2', source: 'migrate-tab' }], domus: [config('guarded')], drbd: drbd(primary('r-web01', 'xen2')), ...parts }));
const xen2 = (parts: Partial<HostState> = {}): HostRecord => record('xen2', hostState({ domus: [config('config-dir')], drbd: drbd(primary('r-web01', 'xen1', 'Secondary', 'Primary')), ...parts }));
const xen9 = (parts: Partial<HostState>): HostRecord => record('xen9', hostState({ domains: [dom('web01')], ...parts }));
const found = (records: HostRecord[]) => mergeFleet(records, fresh).findings.map((f) => [f.kind, f.subject]);
const FOREIGN = [['foreign-claim', 'web01@xen9']];
const TWO = [['running-on-two-hosts', 'web01']];
const indexOf = (records: HostRecord[]): FleetIndex => {
  const ix = new FleetIndex();
  for (const r of records) ix.put(r);
  return ix;
};

describe('what a host reports of its own counts as holding the domU only when it pairs with its holders', () => {
  it('a guarded entry without a config is no holding: the copy it backs is a foreign claim, not a second copy', () => {
    const records = [xen1(), xen2(), xen9({ guarded: [guarded('web01')] })];
    expect(found(records)).toEqual(FOREIGN);
    expect(holdsNothingOf(indexOf(records), 'web01', 'xen9')).toEqual({ resource: 'r-web01', hosts: ['xen1', 'xen2'], by: 'xen1', own: null });
    expect(placementOf(mergeFleet(records, fresh).index, 'web01', fresh, () => [])?.places.map((p) => p.host)).toEqual(['xen1']);
  });

  it('a DRBD resource of that name paired with nobody holding web01 is no holding', () => {
    for (const r of [primary('r-web01', 'xen8'), { name: 'r-web01', role: 'Primary' as const, disk: 'UpToDate', peers: [] }, primary('r-web01', 'peer')]) {
      expect(found([xen1(), xen2(), xen9({ guarded: [guarded('web01')], drbd: drbd(r) })])).toEqual(FOREIGN);
    }
  });

  it('its DRBD 9 report naming a holder as the peer, or a holder naming it, is a holding: two copies, a split brain to settle', () => {
    expect(found([xen1(), xen2(), xen9({ drbd: drbd(primary('r-web01', 'xen2', 'Primary', 'Secondary')) })])).toEqual(TWO);
    // xen9's DRBD view unreadable; xen1 reports r-web01 connected to xen9 too
    const both = { ...primary('r-web01', 'xen2'), peers: [...primary('r-web01', 'xen2').peers, ...primary('r-web01', 'xen9').peers] };
    expect(found([xen1({ drbd: drbd(both) }), xen2(), xen9({ drbd: { availability: 'unknown', resources: [] } })])).toEqual(TWO);
  });

  it('the genuine holders are unchanged: a standby replica, a guarded config of its own, DRBD 8.4 pairs, a migration target, a visitor', () => {
    const peer84 = (role: 'Primary' | 'Secondary', peerRole: 'Primary' | 'Secondary') => drbd(primary('r-web01', 'peer', role, peerRole));
    // the standby on xen2 runs it too (config-dir, 8.4 reports on both): a second copy
    expect(found([xen1({ drbd: peer84('Primary', 'Primary') }), xen2({ domains: [dom('web01')], drbd: peer84('Primary', 'Primary') })])).toEqual([
      ['drbd-primary-on-both', expect.stringMatching(/r-web01/)],
      ['running-on-two-hosts', 'web01'],
    ]);
    // xen2 guarding its own config of web01 and claiming it: no foreign claim
    expect(found([xen1(), xen2({ domus: [config('guarded')], guarded: [guarded('web01')], homes: [{ name: 'web01', peer: 'xen1', source: 'guarded' }] })])).toEqual([]);
    // a live migration into xen2, which reports no config of web01 (the .res files name it)
    const moving = [xen1({ domains: [dom('web01', { migration: 'migratedaway' })] }), xen2({ domus: [], domains: [dom('web01', { migration: 'incoming' })] })];
    expect(found(moving)).toEqual([]);
    expect(fleetFor(indexOf(moving), 'xen1', fresh).runningOn).toEqual({ web01: ['xen1', 'xen2'] });
    // web01 moved to xen2, both ledgers say so
    const visitor = [
      xen1({ domains: [], ledger: { seq: 1, away: { web01: away('xen1', 'xen2') }, visitors: {} } }),
      xen2({ domains: [dom('web01')], ledger: { seq: 1, away: {}, visitors: { web01: { home: 'xen1', since: '2024-05-01T14:02:00.000Z', operationId: 'op-1' } } } }),
    ];
    expect(found(visitor)).toEqual([]);
    expect(placementOf(mergeFleet(visitor, fresh).index, 'web01', fresh, () => [])?.places.map((p) => p.host)).toEqual(['xen2']);
  });
});

describe("guarded autostart's view of the fleet leaves out a host holding nothing of the domU", () => {
  it('xen1, rebooted with web01 down, is not told that xen9 runs it; a real holder running it is still named', () => {
    const records = [xen1({ domains: [] }), xen2(), xen9({ guarded: [guarded('web01')] })];
    expect(fleetFor(indexOf(records), 'xen1', fresh).runningOn).toEqual({ web01: [] });
    expect(fleetFor(indexOf([xen1({ domains: [] }), xen2({ domains: [dom('web01')] }), xen9({ guarded: [guarded('web01')] })]), 'xen1', fresh).runningOn).toEqual({ web01: ['xen2'] });
    // where and migrate: xen9's row is no copy, so nothing is routed to it
    const route = routeCommand(mergeFleet(records, fresh).index, { op: 'migrate', name: 'web01', target: 'xen1' }, fresh);
    expect(route).toMatchObject({ ok: false, error: { code: 'XH_ERR_NOT_FOUND', message: expect.stringMatching(/^no host holding web01 reports it running \(xen9 does, but holds nothing of it/) } });
  });
});

describe('an unsettled record from a host holding nothing of the domU', () => {
  const rogue = (parts: Partial<HostState> = {}) => xen9({ domains: [], ledger: { seq: 1, away: {}, visitors: {}, unsettled: { web01: unsettled('xen2') } }, ...parts });

  it('holds nothing back: unsettledOf leaves it out, migrate is routed, and it is a foreign-claim naming that host', () => {
    const m = mergeFleet([xen1(), xen2(), rogue()], fresh);
    expect(unsettledOf(m.index, 'web01')).toEqual([]);
    expect(routeCommand(m.index, { op: 'migrate', name: 'web01', target: 'xen2' }, fresh)).toEqual({ ok: true, value: { host: 'xen1' } });
    expect(m.findings.map((f) => [f.kind, f.subject, f.hosts])).toEqual([['foreign-claim', 'web01@xen9', ['xen9']]]);
    expect(m.findings[0]?.message).toBe(
      "xen9 holds no config of web01 and no replica of its disks (r-web01 is on xen1 and xen2, as xen1's config of web01 says), so it cannot run web01; its ledger keeps the migrate of web01 with xen2 (operation op-7, at 2024-05-01T14:02:00.000Z) as unsettled, yet no migration of web01 ran there: plans, migrate and reverse do not wait on that record; check xen9's agent and its token: misconfigured (another domain named web01 there, a stray entry in its migrate-tab or guarded dir) or compromised; look on xen9 by hand (xl list; xenherd-agent status web01), and a token no longer trusted goes with `xenherd-controller revoke xen9`",
    );
    expect(alertProblems(m.findings.map((f) => ({ ...f, since: NOW })), m.index, fresh).map((p) => [p.status, p.short])).toEqual([['CRITICAL', 'web01: xen9, which holds nothing of it, keeps a migration of it unsettled (check its agent)']]);
  });

  it("said with its running copy, once; a real holder's record still counts", () => {
    const m = mergeFleet([xen1(), xen2(), rogue({ domains: [dom('web01')] })], fresh);
    expect(m.findings.map((f) => [f.kind, f.subject])).toEqual(FOREIGN);
    expect(m.findings[0]?.message).toMatch(/^xen9 reports web01 running, but holds .*; its ledger keeps the migrate of web01 with xen2 .* as unsettled/);
    const real = mergeFleet([xen1(), xen2({ ledger: { seq: 1, away: {}, visitors: {}, unsettled: { web01: unsettled('xen1') } } }), rogue()], fresh);
    expect(unsettledOf(real.index, 'web01').map((u) => u.host)).toEqual(['xen2']);
    expect(real.findings.map((f) => [f.kind, f.subject])).toEqual([['foreign-claim', 'web01@xen9'], ['migration-unsettled', 'web01@xen2']]);
  });

  it('does not hide a domU away from home that no ledger records', () => {
    // web01 runs on xen2 unrecorded; only xen9's record would have silenced away-unrecorded
    const m = mergeFleet([xen1({ domains: [] }), xen2({ domains: [dom('web01')] }), rogue()], fresh);
    expect(m.findings.map((f) => [f.kind, f.subject])).toEqual([['away-unrecorded', 'web01'], ['foreign-claim', 'web01@xen9']]);
  });
});
