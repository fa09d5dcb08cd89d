import { describe, expect, it } from 'vitest';
import { parseEvents2, parseEvents2Line } from '../../../agent/parse/events2.js';
import { listFixtures, readFixture } from '../../fixture.js';

const lines = (f: string) => {
  const r = parseEvents2(readFixture(`drbd/events2/${f}`).body);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};

describe('parseEvents2', () => {
  it('every events2 fixture parses', () => {
    for (const f of listFixtures('drbd/events2')) expect(parseEvents2(readFixture(f).body).ok, f).toBe(true);
  });

  it('drbd-utils create/change sequence: typed values, ids, unknown keys kept', () => {
    const ls = lines('9-utils-all-create-change.txt');
    expect(ls[0]).toEqual({ kind: 'initial-done', timestamp: null });
    expect(ls[1]).toEqual({
      kind: 'event',
      timestamp: null,
      verb: 'create',
      object: 'resource',
      name: 'some-resource',
      newName: null,
      peerNodeId: null,
      connName: null,
      volume: null,
      minor: null,
      state: { role: 'Secondary', suspended: 'no' },
      fields: { name: 'some-resource', role: 'Secondary', suspended: 'no', 'force-io-failures': 'no', may_promote: 'no', promotion_score: '0' },
    });
    expect(ls[4]).toMatchObject({ verb: 'create', object: 'peer-device', peerNodeId: 1, connName: 'some-peer', volume: 0, state: { replication: 'Off', peerDisk: 'DUnknown' } });
    expect(ls[5]).toMatchObject({ object: 'path', fields: { local: 'ipv4:1.2.3.4:7789', peer: 'ipv4:5.6.7.8:7790', established: 'no' } });
    // a partial change: only the keys that changed
    expect(ls[6]).toMatchObject({ verb: 'change', object: 'resource', state: {} });
    expect(ls[12]).toMatchObject({ verb: 'change', object: 'resource', state: { role: 'Primary' } });
  });

  it('--color: the colour codes around states are dropped, the events read as without them', () => {
    // the plain fixture is another drbd-utils version's (more keys), so the states are compared
    const states = (f: string) => lines(f).map((l) => (l.kind === 'event' ? [l.verb, l.object, l.name, l.state] : l.kind));
    expect(states('9-utils-color.txt')).toEqual(states('9-utils-all-create-change.txt'));
    expect(lines('9-utils-color.txt')[2]).toMatchObject({ object: 'device', state: { disk: 'Diskless' }, fields: { disk: 'Diskless' } });
  });

  it('sync progress done:37.50', () => {
    const last = lines('9-utils-sync.txt').at(-1);
    expect(last).toMatchObject({ object: 'peer-device', state: { replication: 'SyncSource', peerDisk: 'Inconsistent', done: 37.5 } });
  });

  it('a done: figure outside 0 to 100 is unknown, and the other states of its line are kept', () => {
    // drbdsetup computes it from counters that can disagree for a moment; a tool reading the same
    // counters from DRBD 9.0.15 showed this very figure
    const r = parseEvents2Line('change peer-device name:r0 peer-node-id:1 conn-name:b volume:0 replication:SyncSource done:-549739692404.00', 1);
    expect(r.ok && r.value).toMatchObject({ object: 'peer-device', state: { replication: 'SyncSource', done: null } });
    const high = parseEvents2Line('change peer-device name:r0 peer-node-id:1 conn-name:b volume:0 replication:SyncTarget done:100.01', 1);
    expect(high.ok && high.value).toMatchObject({ state: { replication: 'SyncTarget', done: null } });
  });

  it('destroy, helper call/response', () => {
    const d = lines('9-utils-all-create-destroy.txt');
    expect(d.slice(6).map((l) => (l.kind === 'event' ? `${l.verb} ${l.object}` : l.kind))).toEqual([
      'destroy path',
      'destroy peer-device',
      'destroy connection',
      'destroy device',
      'destroy resource',
    ]);
    const h = lines('9-utils-all-create-helper.txt');
    expect(h.at(-1)).toMatchObject({ verb: 'response', object: 'helper', volume: 0, fields: { helper: 'before-resync-target', status: '1' } });
  });

  it('--timestamps prefix in format_timestamp format', () => {
    const [first, second] = lines('9-timestamps.txt');
    expect(first).toEqual({ kind: 'initial-done', timestamp: '2024-03-05T14:07:09.120004+01:00' });
    expect(second).toMatchObject({ timestamp: '2024-03-05T14:07:09.120041+01:00', verb: 'create', object: 'resource' });
  });

  it('8.4: conn-name peer, peer-node-id 0, replication Off once the peer is gone, skipped', () => {
    const ls = lines('84-stream-disconnect-skipped.txt');
    expect(ls[2]).toMatchObject({ object: 'connection', connName: 'peer', peerNodeId: 0, state: { connection: 'Connected', role: 'Secondary' } });
    expect(ls[6]).toMatchObject({ object: 'peer-device', state: { replication: 'Off', peerDisk: 'DUnknown' } });
    expect(ls[7]).toEqual({ kind: 'skipped', count: 3, timestamp: null });
  });

  it('rename', () => {
    const r = parseEvents2Line('rename resource name:old new_name:new');
    expect(r.ok && r.value).toMatchObject({ verb: 'rename', object: 'resource', name: 'old', newName: 'new' });
  });

  it('bad lines fail with their line number and never throw', () => {
    const bad = [
      'exist resource name:r0',
      'exists volume name:r0',
      'change resource role:Primary',
      'change resource name:r0 role:Primery',
      'change resource name:r0 role:Secondary->Primary',
      'change connection name:r0 connection:Connected',
      'change device name:r0 disk:UpToDate',
      'change device name:r0 volume:0 disk:Fine',
      'change peer-device name:r0 conn-name:p volume:0 replication:Syncing',
      'change peer-device name:r0 conn-name:p volume:0 done:12',
      'change device name:r0 volume:x disk:UpToDate',
      'call resource name:r0',
      'rename device name:r0 volume:0',
      'rename resource name:r0',
      'change resource name:r0 name:r1',
      'change resource name:r0 bare',
      '2024-03-05 14:07:09 exists -',
      '',
      '- skipped',
    ];
    for (const [i, l] of bad.entries()) {
      const r = parseEvents2Line(l, i + 7);
      expect(r.ok, l).toBe(false);
      if (!r.ok) expect(r.error.line).toBe(i + 7);
    }
    const whole = parseEvents2('exists -\nchange resource name:r0 role:Primary\nchange resource name:r0 role:Bogus\n');
    expect(!whole.ok && whole.error.line).toBe(3);
    expect(parseEvents2('').ok).toBe(false);
    expect(() => parseEvents2Line('x'.repeat(100000))).not.toThrow();
  });
  it('DRBD 9, three nodes, --now --statistics (real): per-peer connections and peer devices, statistics kept as fields', () => {
    const r = parseEvents2(readFixture('drbd/events2/9-three-nodes-statistics-centreon.txt').body);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toHaveLength(7);
    expect(r.value[1]).toMatchObject({ object: 'connection', name: 'drbd1', peerNodeId: 0, connName: 'central-2004', state: { connection: 'Connected', role: 'Primary' }, fields: { 'ap-in-flight': '0' } });
    expect(r.value[3]).toMatchObject({ object: 'device', volume: 0, minor: 1, state: { disk: 'UpToDate' }, fields: { client: 'no', quorum: 'yes', written: '765868' } });
    expect(r.value[5]).toMatchObject({ object: 'peer-device', peerNodeId: 1, connName: 'poller-2004-1', state: { replication: 'Established', peerDisk: 'UpToDate' }, fields: { 'peer-client': 'no' } });
    expect(r.value[6]).toEqual({ kind: 'initial-done', timestamp: null });
  });
  it('utils 9 on an 8.4 kernel, --statistics --now (real): the peer "peer", node-id 0', () => {
    const r = parseEvents2(readFixture('drbd/events2/84-kernel-utils9-statistics-now.txt').body);
    expect(r.ok && r.value.map((l) => (l.kind === 'event' ? `${l.object} ${l.connName ?? '-'}` : l.kind))).toEqual(['resource -', 'connection peer', 'device -', 'peer-device peer', 'initial-done']);
    expect(r.ok && r.value[2]).toMatchObject({ state: { disk: 'UpToDate' }, fields: { size: '31455260', blocked: 'no' } });
  });
});
