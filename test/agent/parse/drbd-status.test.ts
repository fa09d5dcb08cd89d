import { describe, expect, it } from 'vitest';
import { parseDrbdStatus } from '../../../agent/parse/drbd-status.js';
import { readFixture } from '../../fixture.js';

const parse = (f: string) => {
  const r = parseDrbdStatus(readFixture(`drbd/status/${f}`).body);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};

describe('parseDrbdStatus fixtures', () => {
  it('8.4 man page example: peer named "peer", Established printed', () => {
    const [r] = parse('84-doc-connected.txt');
    expect(r).toMatchObject({ name: 'fs-backoffice', role: 'Primary', suspended: null });
    expect(r?.devices).toEqual([{ volume: 0, disk: 'UpToDate', fields: { disk: 'UpToDate' } }]);
    expect(r?.connections).toHaveLength(1);
    const c = r?.connections[0];
    expect(c).toMatchObject({ name: 'peer', nodeId: null, connection: 'Connected', role: 'Secondary' });
    expect(c?.peerDevices).toEqual([
      { volume: 0, replication: 'Established', peerDisk: 'UpToDate', donePercent: null, fields: { replication: 'Established', 'peer-disk': 'UpToDate' } },
    ]);
  });

  it('8.4 verbose + statistics: continuation lines at 4, 6 and 8 join their objects', () => {
    const [r] = parse('84-doc-verbose-statistics.txt');
    expect(r?.fields).toEqual({ role: 'Primary', suspended: 'no', 'write-ordering': 'drain' });
    expect(r?.suspended).toBe('no');
    expect(r?.devices[0]?.fields).toMatchObject({ minor: '1', size: '10616472', 'lower-pending': '0', blocked: 'no' });
    expect(r?.connections[0]).toMatchObject({ name: 'peer', connection: 'Connected', role: 'Secondary', fields: { congested: 'no' } });
    expect(r?.connections[0]?.peerDevices[0]).toMatchObject({
      volume: 0,
      replication: 'Established',
      peerDisk: 'UpToDate',
      fields: { 'resync-suspended': 'no', received: '122596', 'out-of-sync': '0', unacked: '0' },
    });
  });

  it('8.4 after reboot: Connecting, peer role unknown (null), no peer volumes', () => {
    const [r] = parse('84-wfconnection-after-reboot.txt');
    expect(r?.role).toBe('Secondary');
    expect(r?.connections).toEqual([{ name: 'peer', nodeId: null, connection: 'Connecting', role: null, fields: { connection: 'Connecting' }, peerDevices: [] }]);
  });

  it('9 two peers, both Secondary; replication not printed (Off or Established)', () => {
    const [r] = parse('9-linstor-two-peers-primary.txt');
    expect(r?.name).toBe('pvc-1ed58414-0a3d-415d-8b20-80d4fae9cf71');
    expect(r?.role).toBe('Primary');
    expect(r?.connections.map((c) => [c.name, c.connection, c.role])).toEqual([
      ['kube-node-1', 'Connected', 'Secondary'],
      ['kube-node-6', 'Connected', 'Secondary'],
    ]);
    expect(r?.connections[1]?.peerDevices).toEqual([{ volume: 0, replication: null, peerDisk: 'UpToDate', donePercent: null, fields: { 'peer-disk': 'UpToDate' } }]);
  });

  it('9 peer Primary on one of two peers', () => {
    const [r] = parse('9-linstor-peer-primary.txt');
    expect(r?.role).toBe('Secondary');
    expect(r?.connections.map((c) => c.role)).toEqual(['Secondary', 'Primary']);
    const [p] = parse('9-pcs-peer-primary.txt');
    expect(p).toMatchObject({ name: 'r1', role: 'Secondary', connections: [{ name: 'node1', role: 'Primary', connection: 'Connected' }] });
  });

  it('9 local Inconsistent with no resync running (real): no replication word, no done%, peers UpToDate and Diskless', () => {
    const [r] = parse('9-linstor-203-inconsistent-not-syncing.txt');
    expect(r?.devices).toMatchObject([{ volume: 0, disk: 'Inconsistent' }]);
    expect(r?.connections.map((c) => [c.name, c.role, c.peerDevices[0]?.peerDisk, c.peerDevices[0]?.replication, c.peerDevices[0]?.donePercent])).toEqual([
      ['m10c41', 'Secondary', 'UpToDate', null, null],
      ['m11c4', 'Primary', 'Diskless', null, null],
    ]);
  });

  it('9 SyncSource with done%', () => {
    const [r] = parse('9-syncsource.txt');
    expect(r?.connections[0]?.peerDevices[0]).toMatchObject({ volume: 0, replication: 'SyncSource', peerDisk: 'Inconsistent', donePercent: 96.47 });
  });

  it('9 multi-volume, two resources, two peers', () => {
    const rs = parse('9-multivolume-two-peers.txt');
    expect(rs.map((r) => r.name)).toEqual(['test', 'res']);
    for (const r of rs) {
      expect(r.devices.map((d) => [d.volume, d.disk])).toEqual([[0, 'UpToDate'], [1, 'UpToDate']]);
      expect(r.connections.map((c) => c.name)).toEqual(['node2', 'node3']);
      expect(r.connections[1]?.peerDevices.map((p) => [p.volume, p.peerDisk])).toEqual([[0, 'UpToDate'], [1, 'UpToDate']]);
    }
  });

  it('9 multi-volume SyncTarget and resync-suspended:peer', () => {
    const [r] = parse('9-multivolume-synctarget.txt');
    expect(r?.devices.map((d) => d.disk)).toEqual(['Inconsistent', 'Inconsistent']);
    expect(r?.connections[0]?.peerDevices.map((p) => [p.volume, p.replication, p.donePercent])).toEqual([[0, 'SyncTarget', 10.17], [1, 'SyncTarget', 74.08]]);
    expect(r?.connections[1]?.peerDevices[1]?.fields['resync-suspended']).toBe('peer');
  });

  it('9 StandAlone after split brain: no peer role', () => {
    const [r] = parse('9-standalone-split-brain.txt');
    expect(r?.connections).toEqual([{ name: 'k8s-master', nodeId: null, connection: 'StandAlone', role: null, fields: { connection: 'StandAlone' }, peerDevices: [] }]);
  });

  it('9 diskless client, suspended:quorum, quorum:no, open:yes', () => {
    const [r] = parse('9-diskless-suspended-quorum.txt');
    expect(r?.suspended).toBe('quorum');
    expect(r?.devices[0]).toEqual({ volume: 0, disk: 'Diskless', fields: { disk: 'Diskless', client: 'yes', quorum: 'no', open: 'yes' } });
    expect(r?.connections.map((c) => [c.name, c.connection, c.role])).toEqual([['hv1', 'Connecting', null], ['hv2', 'Connecting', null]]);
  });

  it('9 with utils 9.29+ (open: on every volume line), 14 resources: Connecting, no peers, Primary and open', () => {
    const all = parse('9-linstor-open-connecting.txt');
    expect(all).toHaveLength(14);
    expect(all.every((r) => r.devices.length === 1 && r.devices[0]?.disk === 'UpToDate')).toBe(true);
    expect(all.find((r) => r.name === 'libvirt_pool_a')?.connections).toEqual([]);
    const connecting = all.find((r) => r.name === 'linstor_ctrl_data')?.connections[0];
    expect(connecting).toMatchObject({ name: 'seroics95861', connection: 'Connecting', role: null, peerDevices: [] });
    const open = all.find((r) => r.name === 'seroius15078_sda');
    expect(open).toMatchObject({ role: 'Primary', devices: [{ volume: 0, disk: 'UpToDate', fields: { disk: 'UpToDate', open: 'yes' } }] });
    expect(open?.connections[0]).toMatchObject({ connection: 'Connected', role: 'Secondary', peerDevices: [{ peerDisk: 'UpToDate', replication: null }] });
  });
  it('drbd-utils 9 man page, terse: a peer volume printed as "disk:" is the peer disk', () => {
    const [r] = parse('9-doc-terse-disk-under-peer.txt');
    expect(r?.devices).toEqual([{ volume: 0, disk: 'UpToDate', fields: { disk: 'UpToDate' } }]);
    expect(r?.connections).toEqual([
      {
        name: 'host2.example.com',
        nodeId: null,
        connection: 'Connected',
        role: 'Secondary',
        fields: { role: 'Secondary' },
        peerDevices: [{ volume: 0, replication: null, peerDisk: 'UpToDate', donePercent: null, fields: { disk: 'UpToDate' } }],
      },
    ]);
  });

  it('drbd-utils 9 man page, verbose: "disk:" on the peer volume line, continuation lines at 6', () => {
    const [r] = parse('9-doc-verbose-disk-under-peer.txt');
    expect(r).toMatchObject({ name: 'drbd0', role: 'Primary', suspended: 'no', fields: { 'node-id': '1' } });
    expect(r?.devices).toEqual([{ volume: 0, disk: 'UpToDate', fields: { volume: '0', minor: '1', disk: 'UpToDate', blocked: 'no' } }]);
    expect(r?.connections[0]).toMatchObject({ name: 'host2.example.com', nodeId: 0, connection: 'WFReportParams', role: 'Secondary' });
    expect(r?.connections[0]?.peerDevices).toEqual([
      { volume: 0, replication: 'Connected', peerDisk: 'UpToDate', donePercent: null, fields: { volume: '0', replication: 'Connected', disk: 'UpToDate', 'resync-suspended': 'no' } },
    ]);
  });

  it("LINBIT's DRBD 9 User's Guide: three peers with \"disk:\" peer volumes, one Connecting", () => {
    const [r] = parse('9-ug-three-peers-disk-under-peer.txt');
    expect(r?.connections.map((c) => [c.name, c.connection, c.role, c.peerDevices.map((p) => p.peerDisk)])).toEqual([
      ['nina', 'Connected', 'Secondary', ['UpToDate']],
      ['nino', 'Connected', 'Secondary', ['UpToDate']],
      ['nono', 'Connecting', null, []],
    ]);
    const [i] = parse('9-ug-initial-inconsistent.txt');
    expect(i?.connections[0]?.peerDevices.map((p) => p.peerDisk)).toEqual(['Inconsistent']);
  });

  it('"peer-disk:" wins over "disk:" on a peer volume; an unknown word in either is refused', () => {
    const r = parseDrbdStatus('r0 role:Primary\n  disk:UpToDate\n  b role:Secondary\n    volume:0 peer-disk:Outdated disk:UpToDate\n');
    expect(r.ok && r.value[0]?.connections[0]?.peerDevices[0]?.peerDisk).toBe('Outdated');
    const bad = parseDrbdStatus('r0 role:Primary\n  disk:UpToDate\n  b role:Secondary\n    disk:UpToDat\n');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error).toMatchObject({ line: 4 });
  });

  it('no resources configured', () => {
    expect(parse('9-none-configured.txt')).toEqual([]);
  });

  it('utils 9 on an 8.4 kernel, --verbose --statistics (real): wrapped lines join their objects', () => {
    const [r] = parse('84-kernel-utils9-verbose-statistics.txt');
    expect(r).toMatchObject({ name: 'r0', role: 'Primary', suspended: 'no', fields: { 'write-ordering': 'flush' } });
    expect(r?.devices[0]).toMatchObject({ volume: 0, disk: 'UpToDate', fields: { minor: '1', size: '31455260', 'upper-pending': '0', 'lower-pending': '0', blocked: 'no' } });
    expect(r?.connections[0]).toMatchObject({ name: 'peer', connection: 'Connected', role: 'Secondary', fields: { congested: 'no' } });
    expect(r?.connections[0]?.peerDevices[0]).toMatchObject({ replication: 'Established', peerDisk: 'UpToDate', fields: { 'resync-suspended': 'no', unacked: '0' } });
  });

  it('DRBD 9 verbose, quorum lost, both peers StandAlone (real): node-id on every object, role:Unknown kept as unknown', () => {
    const [r] = parse('9-verbose-quorum-lost-two-standalone.txt');
    expect(r).toMatchObject({ name: 'down-reverses', role: 'Secondary', suspended: 'quorum', fields: { 'node-id': '1', 'force-io-failures': 'no' } });
    expect(r?.devices).toMatchObject([{ volume: 0, disk: 'Inconsistent', fields: { minor: '20000', backing_dev: '/dev/loop5', quorum: 'no' } }]);
    expect(r?.connections).toEqual([
      { name: 'ci-lane1-worker-1', nodeId: 0, connection: 'StandAlone', role: 'Unknown', fields: { 'node-id': '0', connection: 'StandAlone', role: 'Unknown' }, peerDevices: [] },
      { name: 'ci-lane1-worker-3', nodeId: 2, connection: 'StandAlone', role: 'Unknown', fields: { 'node-id': '2', connection: 'StandAlone', role: 'Unknown' }, peerDevices: [] },
    ]);
  });

  it('DRBD 9 quoted: suspended:quorum, blocked:upper and two Diskless volumes without quorum (real)', () => {
    const [r] = parse('9-quorum-suspended-blocked-upper-quote.txt');
    expect(r).toMatchObject({ name: 'test2', role: 'Secondary', suspended: 'quorum', connections: [] });
    expect(r?.devices).toEqual([
      { volume: 0, disk: 'UpToDate', fields: { volume: '0', disk: 'UpToDate', blocked: 'upper' } },
      { volume: 1, disk: 'Diskless', fields: { volume: '1', disk: 'Diskless', quorum: 'no' } },
      { volume: 2, disk: 'Diskless', fields: { volume: '2', disk: 'Diskless', quorum: 'no' } },
    ]);
  });
});

describe('parseDrbdStatus rejects what it does not know, naming the line', () => {
  const fails = (text: string, line: number, expected: RegExp) => {
    const r = parseDrbdStatus(text);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('XH_ERR_TOOL_OUTPUT');
      expect(r.error.line).toBe(line);
      expect(r.error.expected).toMatch(expected);
    }
  };
  it('a done: figure outside 0 to 100 is unknown, not a failure', () => {
    const r = parseDrbdStatus('r0 role:Primary\n  disk:UpToDate\n  b role:Secondary\n    replication:SyncSource peer-disk:Inconsistent done:-3.27\n\n');
    expect(r.ok && r.value[0]?.connections[0]?.peerDevices[0]).toMatchObject({ replication: 'SyncSource', peerDisk: 'Inconsistent', donePercent: null });
  });
  it('unknown role, disk, connection and replication words', () => {
    fails('r0 role:Primery\n  disk:UpToDate\n', 1, /role/);
    fails('r0 role:Primary\n  disk:UpToDat\n', 2, /disk state/);
    fails('r0 role:Primary\n  disk:UpToDate\n  b connection:Waiting\n', 3, /connection state/);
    fails('r0 role:Primary\n  disk:UpToDate\n  b role:Secondary\n    replication:Syncing peer-disk:UpToDate\n', 4, /replication/);
    fails('r0 role:Primary\n  disk:UpToDate\n  b role:Secondary\n    peer-disk:UpToDate done:abc\n', 4, /percentage/);
  });
  it('truncated or malformed structure', () => {
    fails('r0\n', 1, /role:/);
    fails('  disk:UpToDate\n', 1, /resource line/);
    fails('r0 role:Primary\n   disk:UpToDate\n', 2, /indent/);
    fails('r0 role:Primary\n  b role:Secondary\n  disk:UpToDate\n', 3, /volumes before connections/);
    fails('r0 role:Primary\n  disk:UpToDate\n    peer-disk:UpToDate\n', 3, /peer volume/);
    fails('r0 role:Primary\n  volume:x disk:UpToDate\n', 2, /number/);
    fails('r0 role:Primary role:Secondary\n', 1, /repeats/);
    fails('r0 role:Primary\n  volume:0\n', 2, /disk:/);
    fails('r0 role:Primary\n\tdisk:UpToDate\n', 2, /space indentation/);
    fails('r0 role:Primary\n  b role:Secondary\n        out-of-sync:0\n', 3, /continuation/);
  });
  it('never throws on garbage', () => {
    for (const t of ['', '\n\n', ':::', 'x'.repeat(10000), '\u0000\u0001', ' '.repeat(3) + 'a', 'a b:c\n'.repeat(1000)]) {
      expect(() => parseDrbdStatus(t)).not.toThrow();
    }
  });
});
