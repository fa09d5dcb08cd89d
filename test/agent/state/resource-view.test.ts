import { describe, expect, it } from 'vitest';
import { resourceViewFromStatus } from '../../../agent/adapters/drbd-view.js';
import { parseDrbdStatus } from '../../../agent/parse/drbd-status.js';
import { parseEvents2 } from '../../../agent/parse/events2.js';
import { emptyDrbdState, reduceDrbdAll } from '../../../agent/state/drbd-reducer.js';
import { resourceViewFromEvents } from '../../../agent/state/drbd-view.js';
import { buildResourceView } from '../../../agent/state/resource-view.js';
import { readFixture } from '../../fixture.js';

const peer = { name: 'xen2', peerDisks: [], replications: [], donePercents: [] };

describe('buildResourceView', () => {
  it('a peer we are not connected to is Unknown / DUnknown, never Secondary', () => {
    const v = buildResourceView({ name: 'r0', role: 'Secondary', disks: ['UpToDate'], peers: [{ ...peer, connection: 'Connecting', role: 'Secondary' }] });
    expect(v).toMatchObject({ peerRole: 'Unknown', peerDisk: 'DUnknown', connection: 'Connecting' });
  });
  it('a peer last seen Primary stays Primary after the link drops', () => {
    const v = buildResourceView({ name: 'r0', role: 'Secondary', disks: ['UpToDate'], peers: [{ ...peer, connection: 'NetworkFailure', role: 'Primary' }] });
    expect(v.peerRole).toBe('Primary');
  });
  it('a peer we are not connected to has no known disk, replication or done %, whatever its volumes last said', () => {
    const v = buildResourceView({
      name: 'r0',
      role: 'Secondary',
      disks: ['UpToDate'],
      peers: [{ ...peer, connection: 'StandAlone', role: 'Secondary', peerDisks: ['UpToDate'], replications: ['SyncSource'], donePercents: [37.5] }],
    });
    expect(v).toMatchObject({ peerRole: 'Unknown', peerDisk: 'DUnknown', peers: [{ disk: 'DUnknown', replication: null, syncedPercent: null }] });
  });
  it('the pre-rename DRBD 9 words are today\'s: connection WFReportParams is Connected, replication Connected is Established', () => {
    const v = buildResourceView({
      name: 'r0',
      role: 'Primary',
      disks: ['UpToDate'],
      peers: [{ ...peer, connection: 'WFReportParams', role: 'Secondary', peerDisks: ['UpToDate'], replications: ['Connected'], donePercents: [null] }],
    });
    expect(v).toMatchObject({ peerRole: 'Secondary', connection: 'Connected', peerDisk: 'UpToDate', peers: [{ replication: 'Established' }] });
  });
  it('volumes fold into the worst disk and the lowest done %', () => {
    const v = buildResourceView({
      name: 'r0',
      role: 'Secondary',
      disks: ['UpToDate', 'Inconsistent'],
      peers: [{ ...peer, connection: 'Connected', role: 'Secondary', peerDisks: ['UpToDate', 'UpToDate'], replications: ['Established', 'SyncTarget'], donePercents: [null, 12.5] }],
    });
    expect(v).toMatchObject({ disk: 'Inconsistent', peers: [{ replication: 'SyncTarget', syncedPercent: 12.5 }] });
  });
});

describe('drbdadm status and events2 give the same view of the same real state', () => {
  it.each(['06-connected-secondary', '09-guest-running-on-a', '16-peer-down', '22-resync'])('%s', (state) => {
    for (const host of ['dom0a', 'dom0b']) {
      if (readFixture(`real-xen-4.17/${state}/${host}.drbdadm-status-r0.rc`).body.trim() !== '0') continue; // r0 down there
      const status = parseDrbdStatus(readFixture(`real-xen-4.17/${state}/${host}.drbdadm-status-r0.stdout`).body);
      const events = parseEvents2(readFixture(`real-xen-4.17/${state}/${host}.drbdsetup-events2-now.stdout`).body);
      if (!status.ok || !events.ok) throw new Error(`${state} ${host}: fixture did not parse`);
      const fromEvents = reduceDrbdAll(events.value, emptyDrbdState).resources.get('r0');
      if (!fromEvents) throw new Error(`${state} ${host}: no r0 in events2`);
      const a = resourceViewFromStatus(status.value[0]!);
      const b = resourceViewFromEvents(fromEvents);
      // events2 --now prints no done % (status does); everything the decision reads must agree
      const decisive = (v: typeof a) => ({ ...v, peers: v.peers.map((p) => ({ ...p, syncedPercent: null })) });
      expect(decisive(b), `${state} ${host}`).toEqual(decisive(a));
    }
  });
});

describe('views of captures the parsers had not seen', () => {
  const status = (f: string) => {
    const r = parseDrbdStatus(readFixture(`drbd/status/${f}`).body);
    if (!r.ok) throw new Error(r.error.message);
    return r.value.map(resourceViewFromStatus);
  };
  it('"disk:" under a peer (drbd-utils 9 man page, terse and verbose) is the peer disk', () => {
    expect(status('9-doc-terse-disk-under-peer.txt')[0]).toMatchObject({ peerRole: 'Secondary', connection: 'Connected', peerDisk: 'UpToDate' });
    expect(status('9-doc-verbose-disk-under-peer.txt')[0]).toMatchObject({ peerRole: 'Secondary', connection: 'Connected', peerDisk: 'UpToDate' });
  });
  it("LINBIT's guide: two connected peers UpToDate, the Connecting one Unknown/DUnknown", () => {
    expect(status('9-ug-three-peers-disk-under-peer.txt')[0]?.peers.map((p) => [p.name, p.role, p.disk])).toEqual([
      ['nina', 'Secondary', 'UpToDate'],
      ['nino', 'Secondary', 'UpToDate'],
      ['nono', 'Unknown', 'DUnknown'],
    ]);
  });
  it('events2: after the connection drops the peer disk reads DUnknown though the last peer-device line said UpToDate', () => {
    const dump = parseEvents2(readFixture('real-xen-4.17/06-connected-secondary/dom0a.drbdsetup-events2-now.stdout').body);
    const drop = parseEvents2('change connection name:r0 peer-node-id:0 conn-name:peer connection:NetworkFailure\n');
    if (!dump.ok || !drop.ok) throw new Error('did not parse');
    const r = reduceDrbdAll(drop.value, reduceDrbdAll(dump.value, emptyDrbdState)).resources.get('r0');
    if (!r) throw new Error('no r0');
    expect(resourceViewFromEvents(r)).toMatchObject({ connection: 'NetworkFailure', peerRole: 'Unknown', peerDisk: 'DUnknown', peers: [{ replication: null, syncedPercent: null }] });
  });
});

describe('a diskless tiebreaker beside two Dom0s (DRBD 9, three nodes) is told from a detached disk', () => {
  const status = (f: string) => {
    const r = parseDrbdStatus(readFixture(`drbd/status/${f}`).body);
    if (!r.ok) throw new Error(r.error.message);
    return r.value.map(resourceViewFromStatus)[0];
  };
  it('drbdadm status: peer-disk:Diskless peer-client:yes is a client, the UpToDate Dom0 beside it is not', () => {
    expect(status('9-three-nodes-tiebreaker.txt')?.peers).toEqual([
      { name: 'tb', role: 'Secondary', connection: 'Connected', disk: 'Diskless', replication: null, syncedPercent: null, client: true },
      { name: 'xen2', role: 'Secondary', connection: 'Connected', disk: 'UpToDate', replication: null, syncedPercent: null },
    ]);
  });
  it('events2: the same from peer-device lines; a peer that detached its disk (peer-client:no) stays a plain Diskless', () => {
    const dump = parseEvents2(readFixture('drbd/events2/9-three-nodes-tiebreaker.txt').body);
    const detach = parseEvents2('change peer-device name:r2 peer-node-id:0 conn-name:xen1 volume:0 peer-disk:Diskless peer-client:no\n');
    if (!dump.ok || !detach.ok) throw new Error('did not parse');
    const before = reduceDrbdAll(dump.value, emptyDrbdState).resources.get('r2');
    const after = reduceDrbdAll(detach.value, reduceDrbdAll(dump.value, emptyDrbdState)).resources.get('r2');
    if (!before || !after) throw new Error('no r2');
    expect(resourceViewFromEvents(before).peers.map((p) => [p.name, p.role, p.disk, p.client])).toEqual([
      ['tb', 'Secondary', 'Diskless', true],
      ['xen1', 'Primary', 'UpToDate', undefined],
    ]);
    expect(resourceViewFromEvents(after).peers.map((p) => [p.name, p.disk, p.client])).toEqual([
      ['tb', 'Diskless', true],
      ['xen1', 'Diskless', undefined],
    ]);
  });
  it('a client whose link is down is no client any more: its disk is not known', () => {
    const cut = parseEvents2('change connection name:r2 peer-node-id:2 conn-name:tb connection:NetworkFailure role:Unknown\n');
    const dump = parseEvents2(readFixture('drbd/events2/9-three-nodes-tiebreaker.txt').body);
    if (!dump.ok || !cut.ok) throw new Error('did not parse');
    const r = reduceDrbdAll(cut.value, reduceDrbdAll(dump.value, emptyDrbdState)).resources.get('r2');
    if (!r) throw new Error('no r2');
    expect(resourceViewFromEvents(r).peers[0]).toEqual({ name: 'tb', role: 'Unknown', connection: 'NetworkFailure', disk: 'DUnknown', replication: null, syncedPercent: null });
  });
});
