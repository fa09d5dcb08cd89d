import { describe, expect, it } from 'vitest';
import { parseDrbdStatusJson } from '../../../agent/parse/drbd-status-json.js';
import { readFixture } from '../../fixture.js';

const parse = (f: string) => {
  const r = parseDrbdStatusJson(readFixture(`drbd/status-json/${f}`).body);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};

describe('parseDrbdStatusJson', () => {
  it('drbd-utils 9.6 healthy resource', () => {
    const [r] = parse('9.0.16-healthy.json');
    expect(r).toMatchObject({ name: 'beijing', 'node-id': 1, role: 'Primary', suspended: false });
    expect(r?.devices).toEqual([expect.objectContaining({ volume: 0, minor: 5, 'disk-state': 'UpToDate', quorum: true })]);
    expect(r?.connections[0]).toMatchObject({ 'peer-node-id': 2, name: 'salt-node3', 'connection-state': 'Connected', 'peer-role': 'Secondary' });
    expect(r?.connections[0]?.peer_devices[0]).toMatchObject({ 'replication-state': 'Established', 'peer-disk-state': 'UpToDate', 'percent-in-sync': 100 });
  });
  it('bare nan from printf becomes null instead of failing JSON.parse', () => {
    const [r] = parse('9-syncsource-nan.json');
    const pd = r?.connections[0]?.peer_devices[0];
    expect(pd?.['replication-state']).toBe('SyncSource');
    expect(pd?.['percent-resync-done']).toBe(0);
    expect(pd?.['estimated-seconds-to-finish']).toBeNull();
  });
  it('current format with tls, paths, two peers', () => {
    const [r] = parse('9-current-two-peers.json');
    expect(r?.connections.map((c) => [c.name, c['connection-state'], c['peer-role']])).toEqual([
      ['hv2', 'Connected', 'Primary'],
      ['hv3', 'Connecting', 'Unknown'],
    ]);
    expect(r?.devices[0]?.open).toBe(false);
  });
  it('drbd-utils 8.9.8 to 9.5.0 with no resources: the comment before the JSON is skipped, and lines still count from it', () => {
    // status_cmd (user/v9/drbdsetup.c, v9.5.0): printf("# No currently configured DRBD found.\n"), then puts("[") and puts("]")
    expect(parseDrbdStatusJson('# No currently configured DRBD found.\n[\n]\n')).toEqual({ ok: true, value: [] });
    const bad = parseDrbdStatusJson('# No currently configured DRBD found.\n[\n{\n  "name": "r0",\n  oops\n}\n]\n');
    expect(bad.ok ? null : [bad.error.line, bad.error.text]).toEqual([5, '  oops']);
    // a '#' anywhere else is no comment of drbdsetup's: still refused
    expect(parseDrbdStatusJson('[\n# x\n]\n').ok).toBe(false);
  });
  it('failures: empty, not JSON (with line), unknown state word', () => {
    const empty = parseDrbdStatusJson('');
    expect(empty.ok).toBe(false);
    const bad = parseDrbdStatusJson('[\n{\n  "name": "r0",\n  oops\n}\n]\n');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.line).toBe(4);
    const word = parseDrbdStatusJson(JSON.stringify([{ name: 'r0', 'node-id': 0, role: 'Primery', suspended: false, devices: [], connections: [] }]));
    expect(word.ok).toBe(false);
    if (!word.ok) expect(word.error.expected).toMatch(/role/);
    const truncated = parseDrbdStatusJson(readFixture('drbd/status-json/9.0.16-healthy.json').body.slice(0, 300));
    expect(truncated.ok).toBe(false);
  });
});
