import { describe, expect, it } from 'vitest';
import { noteArrivals } from '../../../controller/fleet/arrivals.js';
import { fleetCounts } from '../../../controller/fleet/fleet-counts.js';
import type { HostRecord } from '../../../controller/fleet/host-record.js';
import { noteIncoming } from '../../../controller/fleet/incoming-since.js';
import { mergeFleet, mergedStatus, type MergedFleet } from '../../../controller/fleet/merge.js';
import { placementOf } from '../../../controller/fleet/placement.js';
import type { LinkDomain } from '../../../shared/protocol/agent-link-state.js';
import { dom, guarded, hostState, primary, record } from '../states.js';

// The operator's walk: `xenherdctl migrate Web3` (xen3 → xen2), xen3's agent stopped 2.5 s later
// (a package upgrade), the `xl migrate` it ran carries on and completes. xen3's last report (Web3
// running, r7 Primary with its peer Primary too: the copy was under way) is all the controller has
// of xen3; xen2, current, reported Web3--incoming, then Web3.

const NOW = 1_000_000;
const fresh = { now: NOW, staleAfterMs: 15_000 };
const web3 = (opts: Partial<LinkDomain> = {}): LinkDomain => dom('Web3', { domid: 12, state: 'running', ...opts });
const xen2State = (domains: LinkDomain[]) => hostState({ domains, guarded: [guarded('Web3', ['r7'])], drbd: { availability: 'ok', resources: [primary('r7', 'xen3')] } });

/** xen3 silent since SILENTSINCE, its last report running Web3 (domid 4) with r7 Primary on both ends. */
const xen3 = (silentSince: number, domains: LinkDomain[] = [web3({ domid: 4 })]): HostRecord =>
  record('xen3', hostState({ domains, guarded: [guarded('Web3', ['r7'])], drbd: { availability: 'ok', resources: [primary('r7', 'xen2', 'Primary', 'Primary')] } }), silentSince, false);

/** xen2 as the controller core keeps it: each report through noteIncoming; Web3 plain at ARRIVED, before that its receiving half (or, BYHAND, plain from the start). */
function xen2(arrived: number, byHand = false): HostRecord {
  const before = byHand ? web3() : web3({ migration: 'incoming' });
  let r = noteIncoming(record('xen2', xen2State([before]), arrived - 40_000), arrived - 40_000);
  r = noteIncoming({ ...r, state: xen2State([web3()]), lastSeen: arrived }, arrived);
  // heard from since (heartbeats), nothing changed
  return noteIncoming({ ...r, lastSeen: NOW - 500 }, NOW - 500);
}

/**
 * R with its DRBD view of xen3 cut off (connecting, its role unknown), as a real second copy leaves
 * it: connected and seeing xen3 Secondary, xen2's live view would outrank xen3's Primary
 * (live-partner-word.ts), and only the domU on two hosts would be said.
 */
const cutOff = (r: HostRecord): HostRecord => ({
  ...r,
  state: hostState({ ...r.state, drbd: { availability: 'ok', resources: [{ ...primary('r7', 'xen3'), peers: [{ name: 'xen3', role: 'Unknown', connection: 'Connecting', disk: 'DUnknown', replication: null }] }] } }),
});

const kinds = (m: MergedFleet) => m.findings.map((f) => [f.kind, f.subject, f.hosts]).sort((a, b) => String(b[0]).localeCompare(String(a[0])));
const placesOf = (m: MergedFleet) => placementOf(m.index, 'Web3', fresh, () => [])?.places.map((p) => [p.host, p.domain.name, p.reachable]);
const BOTH = [
  ['running-on-two-hosts', 'Web3', ['xen2', 'xen3']],
  ['drbd-primary-on-both', 'r7@xen2+xen3', ['xen2', 'xen3']],
];

describe("a silent host's last report, superseded by the domU's arrival by migration on a current host", () => {
  it('the migration completed after the source fell silent: no domU on two hosts, no Primary on both, where shows one place, counted once', () => {
    const m = mergeFleet([xen3(NOW - 20_000), xen2(NOW - 10_000)], fresh);
    expect(kinds(m)).toEqual([]);
    expect(placesOf(m)).toEqual([['xen2', 'Web3', true]]);
    const w = placementOf(m.index, 'Web3', fresh, () => []);
    expect(w).toMatchObject({ reachable: true, midMigration: false, ageMs: 500 });
    expect(mergedStatus(m, fresh).summary).toMatchObject({ domus: 1, midMigration: 0, alerts: 0 });
    expect(fleetCounts(m.index, [], fresh).domusByState.get('running')).toBe(1);
  });

  it('the same long after: the evidence holds as long as the source stays silent and the target runs that domain', () => {
    const m = mergeFleet([xen3(NOW - 3_600_000), xen2(NOW - 3_590_000)], fresh);
    expect(kinds(m)).toEqual([]);
  });

  it('not when the target started it by hand (no receiving half seen): alerts as before', () => {
    const m = mergeFleet([xen3(NOW - 20_000), cutOff(xen2(NOW - 10_000, true))], fresh);
    expect(kinds(m)).toEqual(BOTH);
    // xen2 connected to xen3 and seeing it Secondary: r7 is not Primary on both, whatever xen3's last report said
    expect(kinds(mergeFleet([xen3(NOW - 20_000), xen2(NOW - 10_000, true)], fresh))).toEqual([BOTH[0]]);
    expect(placesOf(m)).toEqual([
      ['xen2', 'Web3', true],
      ['xen3', 'Web3', false],
    ]);
  });

  it('not when the arrival came before the silent host last reported it running: that is a real conflict', () => {
    const m = mergeFleet([xen3(NOW - 10_000), cutOff(xen2(NOW - 20_000))], fresh);
    expect(kinds(m)).toEqual(BOTH);
    expect(m.findings[0]?.message).toContain('xen3 (unreachable, last heard 10 s ago)');
    expect(placesOf(m)?.map(([h]) => h)).toEqual(['xen2', 'xen3']);
  });

  it('not when the target is not current either: its arrival is then as old as its own report', () => {
    const t = { ...xen2(NOW - 10_000), lastSeen: NOW - 30_000 };
    expect(kinds(mergeFleet([xen3(NOW - 20_000), t], fresh)).map(([k]) => k)).toEqual(['running-on-two-hosts', 'drbd-primary-on-both']);
  });

  it("the source's next report says what it runs: without Web3 all is clean, with it (started there since) the alerts are back", () => {
    const gone = record('xen3', hostState({ guarded: [guarded('Web3', ['r7'])], drbd: { availability: 'ok', resources: [primary('r7', 'xen2', 'Secondary', 'Primary')] } }), NOW - 200);
    const clean = mergeFleet([gone, xen2(NOW - 10_000)], fresh);
    expect(kinds(clean)).toEqual([]);
    expect(placesOf(clean)).toEqual([['xen2', 'Web3', true]]);
    const back = { ...xen3(NOW - 200), linkUp: true };
    const m = mergeFleet([back, xen2(NOW - 10_000)], fresh);
    expect(kinds(m)).toEqual(BOTH);
    expect(placesOf(m)?.map(([h]) => h)).toEqual(['xen2', 'xen3']);
  });

  it('a DRBD Primary the target still sees on its peer is DRBD now, not an overtaken report: that alert stays', () => {
    const t = xen2(NOW - 10_000);
    const seesPeerPrimary: HostRecord = { ...t, state: hostState({ ...t.state, drbd: { availability: 'ok', resources: [primary('r7', 'xen3', 'Primary', 'Primary')] } }) };
    expect(kinds(mergeFleet([xen3(NOW - 20_000), seesPeerPrimary], fresh))).toEqual([BOTH[1]]);
  });
});

describe('the arrivals a host record keeps', () => {
  const rows = (r: HostRecord, domains: LinkDomain[]): HostRecord => ({ ...r, state: hostState({ domains }) });

  it('noted when the receiving half turns into the plain row under its domid, kept while that row stands, dropped with it', () => {
    let r = noteIncoming(rows(record('xen2', null), [web3({ migration: 'incoming' })]), 1_000);
    expect(r.arrivedAt).toBeUndefined();
    r = noteIncoming(rows(r, [web3()]), 5_000);
    expect(r.arrivedAt).toEqual({ Web3: { domid: 12, at: 5_000 } });
    expect(r.incomingSince).toBeUndefined();
    const same = rows(r, [web3({ state: 'blocked' }), dom('other')]);
    expect(noteIncoming(same, 9_000)).toBe(same);
    // restarted: another domain than the one that arrived
    expect(noteIncoming(rows(r, [web3({ domid: 30 })]), 10_000)).not.toHaveProperty('arrivedAt');
    expect(noteIncoming(rows(r, []), 10_000)).not.toHaveProperty('arrivedAt');
  });

  it('not from a half under another domid (another migration), nor from a plain row with no half before it', () => {
    const half = noteIncoming(rows(record('xen2', null), [web3({ migration: 'incoming', domid: 40 })]), 1_000);
    expect(noteIncoming(rows(half, [web3()]), 2_000)).not.toHaveProperty('arrivedAt');
    const plain = rows(record('xen2', null), [web3()]);
    expect(noteArrivals(plain, 2_000)).toBe(plain);
  });
});
