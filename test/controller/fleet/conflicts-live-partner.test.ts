import { describe, expect, it } from 'vitest';
import { mergeFleet } from '../../../controller/fleet/merge.js';
import { dom, guarded, hostState, primary, record } from '../states.js';

// A silent host's last report has a DRBD resource Primary on both ends (taken mid-migration); its
// partner, live, says otherwise now: its word wins (controller/fleet/live-partner-word.ts).
const NOW = 1_000_000;
const fresh = { now: NOW, staleAfterMs: 15_000 };
const SILENT = NOW - 300_000;
const drbd = (...resources: ReturnType<typeof primary>[]) => ({ availability: 'ok' as const, resources });
const kinds = (records: Parameters<typeof mergeFleet>[0]) => mergeFleet(records, fresh).findings.map((f) => [f.kind, f.subject]);
/** xen1's last report, 300 s old: r0 Primary, its peer xen2 Primary too. */
const silentXen1 = record('xen1', hostState({ drbd: drbd(primary('r0', 'xen2', 'Primary', 'Primary')) }), SILENT, false);
const SPLIT = [['drbd-primary-on-both', 'r0@xen1+xen2']];

describe('a silent holder of a resource Primary on both, against its live partner', () => {
  it('the partner reports the resource Secondary now: no split brain', () => {
    expect(kinds([silentXen1, record('xen2', hostState({ drbd: drbd(primary('r0', 'xen1', 'Secondary', 'Unknown')) }))])).toEqual([]);
    // down there (role null) is not Primary either
    expect(kinds([silentXen1, record('xen2', hostState({ drbd: drbd({ ...primary('r0', 'xen1'), role: null, peers: [] }) }))])).toEqual([]);
  });

  it('the partner reports no such resource, or is silent too: the last report still counts', () => {
    expect(kinds([silentXen1, record('xen2', hostState())])).toEqual(SPLIT);
    expect(kinds([silentXen1, record('xen2', hostState({ drbd: drbd(primary('r0', 'xen1', 'Secondary', 'Unknown')) }), SILENT, false)])).toEqual(SPLIT);
  });

  it('both holding it with the partner live and Primary: cut off from the silent host, still a split brain', () => {
    expect(kinds([silentXen1, record('xen2', hostState({ drbd: drbd({ ...primary('r0', 'xen1', 'Primary', 'Unknown'), peers: [{ name: 'xen1', role: 'Unknown', connection: 'Connecting', disk: 'DUnknown', replication: null }] }) }))])).toEqual(SPLIT);
  });

  it('both holding it with the partner live, Primary and connected to the silent host, seeing it Secondary: that live view wins', () => {
    expect(kinds([silentXen1, record('xen2', hostState({ drbd: drbd(primary('r0', 'xen1', 'Primary', 'Secondary')) }))])).toEqual([]);
    // DRBD 8.4 names that peer "peer"
    const r84 = record('xen1', hostState({ drbd: drbd(primary('r0', 'peer', 'Primary', 'Primary')) }), SILENT, false);
    expect(kinds([r84, record('xen2', hostState({ drbd: drbd(primary('r0', 'xen1', 'Primary', 'Secondary')) }))])).toEqual([]);
  });

  it('both reachable: two live words that disagree are left as they were (the holder sees its peer Primary)', () => {
    const xen1 = record('xen1', hostState({ drbd: drbd(primary('r0', 'xen2', 'Primary', 'Primary')) }));
    expect(kinds([xen1, record('xen2', hostState({ drbd: drbd(primary('r0', 'xen1', 'Secondary', 'Primary')) }))])).toEqual(SPLIT);
  });
});

// The incident: xen3's agent stopped (xen3 up, app1 running there), and on xen2 an operator took
// r5 Primary as for a dead Dom0. xen2's live report shows its DRBD connected to xen3, Primary.
describe('a silent host its live partner\'s DRBD is connected to: up, not maybe down', () => {
  const silentXen3 = (peer: string) => record('xen3', hostState({ domains: [dom('app1')], guarded: [guarded('app1', ['r5'])], drbd: drbd(primary('r5', peer, 'Primary', 'Secondary')) }), SILENT, false);
  const liveXen2 = (peer: string, domains = [] as ReturnType<typeof dom>[]) =>
    record('xen2', hostState({ domains, guarded: [guarded('app1', ['r5'])], drbd: drbd(primary('r5', peer, 'Primary', 'Primary')) }));
  const messages = (records: Parameters<typeof mergeFleet>[0]) => new Map(mergeFleet(records, fresh).findings.map((f) => [f.kind, f.message]));
  const UP = "; xen3 is unreachable but up: xen2's DRBD r5 is connected to it now and sees it Primary, so only its agent is silent";

  it.each(['xen3', 'peer'])('drbd-primary-on-both says xen3 is up, never that it may be down (peer named %s)', (peer) => {
    const m = messages([silentXen3(peer === 'xen3' ? 'xen2' : 'peer'), liveXen2(peer)]).get('drbd-primary-on-both');
    expect(m).toContain(UP);
    expect(m).toContain('shut down the one that must not run (one started by hand beside xen3)');
    expect(m).not.toContain('if it is down');
    expect(m).not.toContain('that copy is gone too');
  });

  it('running-on-two-hosts says so too, from the domU\'s resources', () => {
    const m = messages([silentXen3('xen2'), liveXen2('xen3', [dom('app1')])]).get('running-on-two-hosts');
    expect(m).toContain(UP);
    expect(m).not.toContain('if it is down');
  });

  it('a partner that sees the silent host unconnected leaves it maybe down, as before', () => {
    const cut = record('xen2', hostState({ domains: [dom('app1')], guarded: [guarded('app1', ['r5'])], drbd: drbd({ ...primary('r5', 'xen3'), peers: [{ name: 'xen3', role: 'Unknown', connection: 'Connecting', disk: 'DUnknown', replication: null }] }) }));
    const m = messages([silentXen3('xen2'), cut]).get('running-on-two-hosts');
    expect(m).toContain('; xen3 is unreachable, so its part rests on its last report: if it is down (check its console), that copy is gone too');
    expect(m).not.toContain('but up');
  });
});
