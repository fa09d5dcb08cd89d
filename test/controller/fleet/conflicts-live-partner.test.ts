import { describe, expect, it } from 'vitest';
import { mergeFleet } from '../../../controller/fleet/merge.js';
import { hostState, primary, record } from '../states.js';

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
