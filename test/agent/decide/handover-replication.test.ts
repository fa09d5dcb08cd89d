import { describe, expect, it } from 'vitest';
import { handoverVerdict, hms, seenOf, type ReplicationSample } from '../../../agent/decide/handover-replication.js';
import type { DrbdResourceView } from '../../../shared/inventory.js';

type Peer = DrbdResourceView['peers'][number];
const T0 = Date.UTC(2026, 0, 1, 10, 0, 0);

/** r on xen1 as `drbdadm status` shows it; DRBD 9 names the peer, 8.4 calls it "peer" */
function view(over: Partial<Peer> & { disk?: DrbdResourceView['disk']; up?: boolean; noPeer?: boolean; resource?: string } = {}): DrbdResourceView {
  const peer: Peer = { name: 'xen2', role: 'Secondary', connection: 'Connected', disk: 'UpToDate', replication: 'Established', syncedPercent: null, ...over };
  const peers = over.noPeer ? [] : [peer];
  return { name: over.resource ?? 'r1', up: over.up ?? true, role: 'Secondary', peerRole: peer.role, connection: peer.connection, disk: over.disk ?? 'UpToDate', peerDisk: peer.disk, peers };
}
const inStep = view();
const cut = view({ connection: 'Connecting', disk: 'UpToDate', role: 'Unknown', replication: 'Off' } as Partial<Peer>);
const lost = { ...cut, peers: cut.peers.map((p) => ({ ...p, disk: 'DUnknown' as const })) };
const at = (s: number, v: DrbdResourceView | null, after = false, resource = 'r1'): ReplicationSample => (v ? { at: T0 + s * 1000, resource, view: v, after } : { at: T0 + s * 1000, resource, view: null, error: 'drbdadm status r1: timed out', after });
const facts = (samples: ReplicationSample[], resources = ['r1']) => ({ name: 'web1', from: 'xen1', to: 'xen2', host: 'xen1', other: 'xen2', resources, samples });

describe('a handover whose link stayed up is a plain success', () => {
  it('Connected (9: Established), UpToDate on both, before, during and after: no alarm, no line', () => {
    expect(handoverVerdict(facts([at(0, inStep), at(2, inStep), at(4, inStep), at(6, inStep, true)]))).toEqual({ alarm: null, lines: [] });
  });

  it('DRBD 8.4 (peer "peer", no replication word) and terse status (no connection word) read as in step', () => {
    expect(seenOf(view({ name: 'peer', replication: null }), 'xen2')).toEqual({ kind: 'in-step' });
    expect(seenOf(view({ connection: null, replication: null }), 'xen2')).toEqual({ kind: 'in-step' });
    // an online verify reads both disks while they stay UpToDate
    expect(seenOf(view({ replication: 'VerifyS' }), 'xen2')).toEqual({ kind: 'in-step' });
  });

  it('no resources (shared storage): nothing to judge', () => {
    expect(handoverVerdict(facts([], []))).toEqual({ alarm: null, lines: [] });
  });
});

describe('a link lost while both were Primary is an ALARM that names the resource, the time and what not to do', () => {
  it('cut mid-copy and still down after: the target may lack the writes made on the source since it was last seen Connected', () => {
    const v = handoverVerdict(facts([at(0, inStep), at(2, inStep), at(4, lost), at(6, lost), at(16, lost, true)]));
    expect(v.lines).toEqual([]);
    expect(v.alarm?.code).toBe('XH_ERR_MIGRATION_UNKNOWN');
    expect(v.alarm?.message).toBe(
      'ALARM: web1 moved from xen1 to xen2 and runs on xen2, but the DRBD replication link of r1 was lost during the move while both Dom0s were Primary ' +
        '(r1 on xen1 last seen Connected, UpToDate on both, at 10:00:02 UTC, seen Connecting (disk UpToDate, peer DUnknown) at 10:00:04 UTC, still so after the handover): ' +
        "xen2's disk may lack writes web1 made on xen1 after 10:00:02 UTC, and web1 may have written to xen2's since. " +
        'Do not reconnect r1 with --discard-my-data on xen1 before checking which side has the newer data (`drbdadm status r1` on both; on reconnecting, DRBD will likely report a split brain); ' +
        'the move itself is recorded (web1 runs on xen2)',
    );
  });

  it('seen only after the handover: the writes are at risk since the move began', () => {
    const v = handoverVerdict(facts([at(0, inStep), at(2, inStep), at(16, view({ connection: 'StandAlone', noPeer: true }), true)]));
    expect(v.alarm?.message).toContain('r1 on xen1 last seen Connected, UpToDate on both, at 10:00:02 UTC, seen StandAlone (disk UpToDate, no connection to xen2) at 10:00:16 UTC)');
    expect(v.alarm?.message).toContain("xen2's disk may lack writes web1 made on xen1 after 10:00:02 UTC");
  });

  it('down before the copy began (not seen Connected at all): since the first read', () => {
    const v = handoverVerdict(facts([at(0, lost), at(16, lost, true)]));
    expect(v.alarm?.message).toContain('r1 on xen1 not seen Connected since the move began at 10:00:00 UTC, seen Connecting');
  });

  it('cut mid-copy and Connected again after: still an ALARM (which side DRBD resynced from is not known)', () => {
    const v = handoverVerdict(facts([at(0, inStep), at(4, cut), at(16, inStep, true)]));
    expect(v.alarm?.message).toContain('seen Connecting (disk UpToDate, peer UpToDate) at 10:00:04 UTC, Connected again after the handover');
  });

  it('every down word counts: StandAlone, NetworkFailure, Timeout, BrokenPipe, Unconnected, WFConnection (8.4), not up', () => {
    for (const c of ['StandAlone', 'NetworkFailure', 'Timeout', 'BrokenPipe', 'Unconnected', 'Disconnecting', 'WFConnection', 'ProtocolError', 'TearDown'] as const) {
      expect(seenOf(view({ connection: c }), 'xen2').kind).toBe('cut');
    }
    expect(seenOf(view({ up: false }), 'xen2')).toEqual({ kind: 'cut', words: 'not up' });
    // DRBD 9 with a third node: only the link to the other end of the move counts
    expect(seenOf({ ...inStep, peers: [{ ...inStep.peers[0]!, name: 'xen3' }, { ...inStep.peers[0]!, name: 'xen4' }] }, 'xen2').kind).toBe('cut');
  });

  it('two resources lost: both named, the earliest time given', () => {
    const v = handoverVerdict(facts([at(0, inStep), at(0, { ...inStep, name: 'r2' }, false, 'r2'), at(2, lost), at(4, { ...inStep, name: 'r2' }, false, 'r2'), at(6, { ...lost, name: 'r2' }, false, 'r2'), at(16, lost, true), at(16, { ...lost, name: 'r2' }, true, 'r2')], ['r1', 'r2']));
    expect(v.alarm?.message).toContain('the DRBD replication link of r1, r2 was lost');
    expect(v.alarm?.message).toContain('after 10:00:00 UTC');
    expect(v.alarm?.message).toContain('Do not reconnect r1, r2 with --discard-my-data on xen1');
  });

  it('a reverse, judged on the home it comes back to: the home is the side that may lack the writes', () => {
    const v = handoverVerdict({ name: 'web1', from: 'xen2', to: 'xen1', host: 'xen1', other: 'xen2', resources: ['r1'], samples: [at(0, inStep), at(4, lost), at(16, lost, true)] });
    expect(v.alarm?.message).toMatch(/^ALARM: web1 moved from xen2 to xen1 and runs on xen1, .*r1 on xen1 last seen Connected.*xen1's disk may lack writes web1 made on xen2 after 10:00:00 UTC.*--discard-my-data on xen2/);
  });
});

describe('Connected after the handover but not in step: the link came back during the move', () => {
  it('a resync toward the target (the source SyncSource): a line, not an ALARM', () => {
    const v = handoverVerdict(facts([at(0, inStep), at(16, { ...view({ replication: 'SyncSource', disk: 'Inconsistent' }), disk: 'UpToDate' }, true)]));
    expect(v.alarm).toBeNull();
    expect(v.lines).toEqual([
      "r1 on xen1 is SyncSource (disk UpToDate, peer Inconsistent) after the handover: its link to xen2 dropped and came back during the move; DRBD copies what xen2's disk lacks from xen1: keep r1 connected until it is done, and check that `drbdadm status r1` shows UpToDate on both sides before moving web1 again",
    ]);
  });

  it("a resync toward the source (the source SyncTarget): the source's writes are being overwritten, an ALARM", () => {
    const v = handoverVerdict(facts([at(0, inStep), at(16, { ...view({ replication: 'SyncTarget' }), disk: 'Inconsistent' }, true)]));
    expect(v.alarm?.message).toContain("r1 on xen1 is SyncTarget (disk Inconsistent, peer UpToDate) after the handover: its link dropped and came back during the move, and DRBD resyncs xen1's disk from xen2's");
  });

  it('not read after the handover: a line asking to check, no ALARM on a read that failed', () => {
    const v = handoverVerdict(facts([at(0, inStep), at(2, null), at(16, null, true)]));
    expect(v).toEqual({ alarm: null, lines: ['r1 could not be read on xen1 after the handover (drbdadm status r1: timed out): check that `drbdadm status r1` shows it Connected, UpToDate on both sides'] });
  });
});

it('times are given to the second, in UTC', () => {
  expect(hms(Date.UTC(2026, 11, 5, 1, 2, 3, 900))).toBe('01:02:03 UTC');
});
