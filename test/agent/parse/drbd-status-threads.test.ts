import { describe, expect, it } from 'vitest';
import { parseDrbdStatus } from '../../../agent/parse/drbd-status.js';
import { readFixture } from '../../fixture.js';

// `drbdadm status` / `drbdsetup status` as operators pasted them into public issue threads (each
// fixture names its thread): the states an operator meets on a real DRBD 9 cluster, read field by
// field, so a change in the grammar that misreads one of them fails here.

const parse = (f: string) => {
  const r = parseDrbdStatus(readFixture(`drbd/status/${f}`).body);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};

describe('drbdadm status pasted in issue threads', () => {
  it('SyncTarget from a Secondary peer while a diskless peer is Primary (LINSTOR)', () => {
    const [r, ...more] = parse('9-linstor-218-synctarget-diskless-peer.txt');
    expect(more).toEqual([]);
    expect(r).toMatchObject({ name: 'one-vm-9120-disk-0', role: 'Secondary', suspended: null });
    expect(r?.devices.map((d) => [d.volume, d.disk])).toEqual([[0, 'Inconsistent']]);
    expect(r?.connections.map((c) => [c.name, c.connection, c.role])).toEqual([
      ['m14c19', 'Connected', 'Secondary'],
      ['m14c36', 'Connected', 'Primary'],
    ]);
    expect(r?.connections[0]?.peerDevices).toEqual([
      { volume: 0, replication: 'SyncTarget', peerDisk: 'UpToDate', donePercent: null, fields: { replication: 'SyncTarget', 'peer-disk': 'UpToDate' } },
    ]);
    // replication not printed: Established (the peer is connected), and its disk is Diskless
    expect(r?.connections[1]?.peerDevices).toEqual([{ volume: 0, replication: null, peerDisk: 'Diskless', donePercent: null, fields: { 'peer-disk': 'Diskless' } }]);
  });

  it('the same moment --verbose --statistics: node ids, quorum, peer-client and the counters land on their objects', () => {
    const [r] = parse('9-linstor-218-verbose-statistics.txt');
    expect(r?.fields).toEqual({ 'node-id': '1', role: 'Secondary', suspended: 'no', 'write-ordering': 'flush' });
    expect(r?.suspended).toBe('no');
    expect(r?.devices[0]).toMatchObject({ volume: 0, disk: 'Inconsistent', fields: { minor: '2796', quorum: 'yes', size: '41946328', blocked: 'no' } });
    expect(r?.connections.map((c) => [c.name, c.nodeId, c.connection, c.role])).toEqual([
      ['m14c19', 0, 'Connected', 'Secondary'],
      ['m14c36', 3, 'Connected', 'Primary'],
    ]);
    expect(r?.connections[0]?.peerDevices[0]).toMatchObject({ volume: 0, replication: 'SyncTarget', peerDisk: 'UpToDate', donePercent: null, fields: { received: '10752', 'out-of-sync': '0' } });
    expect(r?.connections[1]?.peerDevices[0]).toMatchObject({ replication: 'Established', peerDisk: 'Diskless', fields: { 'peer-client': 'yes', received: '56060' } });
  });

  it('right after up: the peer Connecting, its role unknown, no peer volume', () => {
    const [r] = parse('9-crowbar-connecting.txt');
    expect(r).toMatchObject({ name: 'postgresql', role: 'Secondary' });
    expect(r?.devices.map((d) => d.disk)).toEqual(['Inconsistent']);
    expect(r?.connections).toEqual([{ name: 'd52-54-77-77-01-01', nodeId: null, connection: 'Connecting', role: null, fields: { connection: 'Connecting' }, peerDevices: [] }]);
  });

  it('initial resync: SyncTarget with done:0.08 from a Primary peer', () => {
    const [r] = parse('9-crowbar-synctarget-done.txt');
    expect(r?.connections[0]).toMatchObject({ name: 'd52-54-77-77-01-01', connection: 'Connected', role: 'Primary' });
    expect(r?.connections[0]?.peerDevices).toEqual([
      { volume: 0, replication: 'SyncTarget', peerDisk: 'UpToDate', donePercent: 0.08, fields: { replication: 'SyncTarget', 'peer-disk': 'UpToDate', done: '0.08' } },
    ]);
  });

  it('quorum:no on the volume line, peers StandAlone or Connecting (DRBD 9.0.28)', () => {
    const [alone] = parse('9.0.28-reactor-quorum-no-standalone.txt');
    expect(alone?.devices).toEqual([{ volume: 0, disk: 'Diskless', fields: { disk: 'Diskless', quorum: 'no' } }]);
    expect(alone?.connections.map((c) => [c.name, c.connection, c.role, c.peerDevices.length])).toEqual([
      ['colo-srv-2', 'StandAlone', null, 0],
      ['colo-srv-3', 'StandAlone', null, 0],
    ]);
    const [waiting] = parse('9.0.28-reactor-quorum-no-connecting.txt');
    expect(waiting?.devices[0]?.fields).toEqual({ disk: 'UpToDate', quorum: 'no' });
    expect(waiting?.connections.map((c) => c.connection)).toEqual(['Connecting', 'Connecting']);
  });
});
