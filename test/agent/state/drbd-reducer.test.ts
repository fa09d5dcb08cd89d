import { describe, expect, it } from 'vitest';
import { parseEvents2, parseEvents2Line, type Events2Line } from '../../../agent/parse/events2.js';
import { emptyDrbdState, reduceDrbd, reduceDrbdAll, type DrbdConnectionState, type DrbdState } from '../../../agent/state/drbd-reducer.js';
import { viewsFromEvents } from '../../../agent/state/drbd-view.js';
import { readFixture } from '../../fixture.js';

const lines = (f: string): Events2Line[] => {
  const r = parseEvents2(readFixture(`drbd/events2/${f}`).body);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};
const line = (s: string): Events2Line => {
  const r = parseEvents2Line(s);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};

/** RES's connection as the view names it: its conn-name, else its key */
const connNamed = (s: DrbdState, res: string, name: string): DrbdConnectionState | undefined =>
  [...(s.resources.get(res)?.connections.values() ?? [])].find((c) => (c.connName ?? c.key) === name);

describe('reduceDrbd', () => {
  it('create → change → Primary (drbd-utils sequence), partial changes keep old keys', () => {
    const s = reduceDrbdAll(lines('9-utils-all-create-change.txt'));
    expect(s.initialDone).toBe(true);
    const r = s.resources.get('some-resource');
    expect(r?.role).toBe('Primary');
    expect(r?.suspended).toBe('no'); // only in the create line, kept through partial changes
    expect(r?.fields['promotion_score']).toBe('10102');
    expect(r?.devices.get(0)).toMatchObject({ volume: 0, minor: 1000, disk: 'UpToDate' });
    const c = connNamed(s, 'some-resource', 'some-peer');
    expect(c).toMatchObject({ connName: 'some-peer', peerNodeId: 1, connection: 'Connected', role: 'Secondary' });
    expect(c?.peerDevices.get(0)).toMatchObject({ replication: 'Established', peerDisk: 'UpToDate', donePercent: null });
  });

  it('sync progress, then done cleared when the resync ends', () => {
    let s = reduceDrbdAll(lines('9-utils-sync.txt'));
    expect(connNamed(s, 'some-resource', 'some-peer')?.peerDevices.get(0)).toMatchObject({ replication: 'SyncSource', donePercent: 37.5 });
    s = reduceDrbd(s, line('change peer-device name:some-resource peer-node-id:1 conn-name:some-peer volume:0 done:80.00'));
    expect(connNamed(s, 'some-resource', 'some-peer')?.peerDevices.get(0)?.donePercent).toBe(80);
    s = reduceDrbd(s, line('change peer-device name:some-resource peer-node-id:1 conn-name:some-peer volume:0 replication:Established peer-disk:UpToDate'));
    expect(connNamed(s, 'some-resource', 'some-peer')?.peerDevices.get(0)).toMatchObject({ replication: 'Established', peerDisk: 'UpToDate', donePercent: null });
  });

  it('peer becomes Primary from a role-only change line', () => {
    const s = reduceDrbdAll(lines('9-utils-may-promote-peer-role.txt'));
    expect(connNamed(s, 'some-resource', 'some-peer')).toMatchObject({ connection: 'Connected', role: 'Primary' });
  });

  it('destroy removes objects bottom-up and finally the resource', () => {
    const ls = lines('9-utils-all-create-destroy.txt');
    const before = reduceDrbdAll(ls.slice(0, 6));
    expect(connNamed(before, 'some-resource', 'some-peer')?.peerDevices.size).toBe(1);
    const mid = reduceDrbdAll(ls.slice(6, 8), before);
    expect(connNamed(mid, 'some-resource', 'some-peer')?.peerDevices.size).toBe(0);
    const end = reduceDrbdAll(ls.slice(8), mid);
    expect(end.resources.size).toBe(0);
  });

  it('device create/destroy in any order', () => {
    const s = reduceDrbdAll(lines('9-utils-device-create-destroy.txt'));
    expect(s.resources.size).toBe(0);
    const partial = reduceDrbdAll(lines('9-utils-device-create-destroy.txt').slice(0, 4));
    expect([...(partial.resources.get('some-resource')?.devices.keys() ?? [])]).toEqual([0, 1]);
  });

  it('8.4 stream: peer lost (Connecting, role Unknown), skipped → stale', () => {
    const ls = lines('84-stream-disconnect-skipped.txt');
    const s = reduceDrbdAll(ls.slice(0, 7));
    const c = connNamed(s, 'r0', 'peer');
    expect(c).toMatchObject({ connection: 'Connecting', role: 'Unknown' });
    expect(c?.peerDevices.get(0)).toMatchObject({ replication: 'Off', peerDisk: 'DUnknown' });
    expect(s.stale).toBe(false);
    expect(reduceDrbdAll(ls.slice(7), s).stale).toBe(true);
  });

  it('rename moves the resource; change before exists creates; does not mutate the input', () => {
    const a = reduceDrbd(emptyDrbdState, line('change connection name:r0 conn-name:b connection:Connected role:Secondary'));
    expect(connNamed(a, 'r0', 'b')?.role).toBe('Secondary');
    const b = reduceDrbd(a, line('rename resource name:r0 new_name:r1'));
    expect(b.resources.has('r0')).toBe(false);
    expect(b.resources.get('r1')?.name).toBe('r1');
    expect(connNamed(b, 'r1', 'b')?.role).toBe('Secondary');
    expect(a.resources.has('r0')).toBe(true);
    expect(emptyDrbdState.resources.size).toBe(0);
    // helper and path events, and destroys of unknown objects, change nothing
    expect(reduceDrbd(b, line('call helper name:r1 helper:fence-peer'))).toBe(b);
    expect(reduceDrbd(b, line('destroy device name:zz volume:0'))).toBe(b);
  });

  it('a dropped connection leaves no stale peer disk, replication or done % (real 8.4.11 dump, then a connection-only change)', () => {
    const dump = parseEvents2(readFixture('real-xen-4.17/06-connected-secondary/dom0a.drbdsetup-events2-now.stdout').body);
    if (!dump.ok) throw new Error(dump.error.message);
    let s = reduceDrbdAll(dump.value);
    const pd = () => connNamed(s, 'r0', 'peer')?.peerDevices.get(0);
    expect(pd()).toMatchObject({ replication: 'Established', peerDisk: 'UpToDate' });
    s = reduceDrbd(s, line('change connection name:r0 peer-node-id:0 conn-name:peer connection:NetworkFailure'));
    expect(pd()).toMatchObject({ replication: 'Off', peerDisk: 'DUnknown', donePercent: null });
    s = reduceDrbd(s, line('change connection name:r0 peer-node-id:0 conn-name:peer connection:Connecting role:Unknown'));
    expect(pd()).toMatchObject({ replication: 'Off', peerDisk: 'DUnknown' });
    // reconnecting says nothing about the peer's disk until its peer-device line comes
    s = reduceDrbd(s, line('change connection name:r0 peer-node-id:0 conn-name:peer connection:Connected'));
    expect(pd()).toMatchObject({ peerDisk: 'DUnknown' });
    s = reduceDrbd(s, line('change peer-device name:r0 peer-node-id:0 conn-name:peer volume:0 replication:Established peer-disk:UpToDate'));
    expect(pd()).toMatchObject({ replication: 'Established', peerDisk: 'UpToDate' });
  });

  it('a resync cut by a disconnect forgets its done %; a role-only change keeps the peer volumes', () => {
    let s = reduceDrbdAll(lines('9-utils-sync.txt'));
    const pd = () => connNamed(s, 'some-resource', 'some-peer')?.peerDevices.get(0);
    s = reduceDrbd(s, line('change connection name:some-resource peer-node-id:1 conn-name:some-peer role:Primary'));
    expect(pd()).toMatchObject({ replication: 'SyncSource', peerDisk: 'Inconsistent', donePercent: 37.5 });
    s = reduceDrbd(s, line('change connection name:some-resource peer-node-id:1 conn-name:some-peer connection:BrokenPipe'));
    expect(pd()).toMatchObject({ replication: 'Off', peerDisk: 'DUnknown', donePercent: null });
  });

  it('a connection without conn-name is keyed by node id', () => {
    const s = reduceDrbd(emptyDrbdState, line('exists connection name:r0 peer-node-id:2 connection:Connecting role:Unknown'));
    expect(connNamed(s, 'r0', 'node-id:2')).toMatchObject({ connName: null, peerNodeId: 2, role: 'Unknown' });
  });

  it('DRBD 8.4: the StandAlone connection of a dump and the one `drbdadm connect` creates are one connection', () => {
    // real 8.4.11 dump after a split brain: no conn-name while the connection has no network config
    const dump = parseEvents2(readFixture('real-xen-4.17/19-split-brain/dom0a.drbdsetup-events2-now.stdout').body);
    if (!dump.ok) throw new Error(dump.error.message);
    // then what the 8.4 kernel's drbd_adm_connect announces (with the peer address: conn-name:peer),
    // and the peer coming up Primary
    const live = [
      'create connection name:r0 peer-node-id:0 conn-name:peer connection:StandAlone role:Unknown',
      'create peer-device name:r0 peer-node-id:0 conn-name:peer volume:0 replication:Off peer-disk:DUnknown resync-suspended:no',
      'change connection name:r0 peer-node-id:0 conn-name:peer connection:Unconnected',
      'change connection name:r0 peer-node-id:0 conn-name:peer connection:Connecting',
      'change connection name:r0 peer-node-id:0 conn-name:peer connection:Connected',
      'change connection name:r0 peer-node-id:0 conn-name:peer role:Primary',
      'change peer-device name:r0 peer-node-id:0 conn-name:peer volume:0 replication:Established peer-disk:UpToDate',
    ].map(line);
    const s = reduceDrbdAll([...dump.value, ...live]);
    expect(s.resources.get('r0')?.connections.size).toBe(1);
    expect(viewsFromEvents(s, ['r0']).get('r0')).toMatchObject({
      peerRole: 'Primary',
      connection: 'Connected',
      peerDisk: 'UpToDate',
      peers: [{ name: 'peer', role: 'Primary', connection: 'Connected' }],
    });
  });
});
