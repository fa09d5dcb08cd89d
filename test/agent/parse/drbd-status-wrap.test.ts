import { describe, expect, it } from 'vitest';
import { parseDrbdStatus } from '../../../agent/parse/drbd-status.js';
import { readFixture } from '../../fixture.js';
import type { DrbdView } from '../../sim/model/drbd-view.js';
import { SIM_COUNTERS, statusLong84, statusLong9 } from '../../sim/render/drbd-status-long.js';

// drbd-utils before 9.32 pushed the line after one of 80 columns right when that line ended in
// `wrap_printf(indent, "\n")` (agent/parse/drbd-status-wrap.ts). The sim prints status through a
// port of that old wrapper, so its --verbose/--statistics output shows the flaw wherever a line
// ends on column 80.

const parse = (text: string) => {
  const r = parseDrbdStatus(text);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};

describe('drbdadm status of drbd-utils before 9.32: a line after one of 80 columns', () => {
  it('statistics pushed to column 7 stay the volume\'s', () => {
    const [r] = parse(readFixture('drbd/status/9-pre9.32-wrap-stats-pushed-right.txt').body);
    expect(r?.fields).toEqual({ 'node-id': '0', role: 'Primary', suspended: 'no', 'force-io-failures': 'no', 'write-ordering': 'flush' });
    expect(r?.devices).toHaveLength(1);
    expect(r?.devices[0]?.fields).toMatchObject({ volume: '0', disk: 'UpToDate', quorum: 'yes', size: '10485436', read: '99', 'al-writes': '99', 'lower-pending': '0', blocked: 'no' });
    expect(r?.connections.map((c) => [c.name, c.nodeId, c.connection, c.role])).toEqual([['dom0-b', 1, 'Connected', 'Secondary']]);
    expect(r?.connections[0]?.peerDevices[0]).toMatchObject({ replication: 'Established', peerDisk: 'UpToDate', fields: { sent: '99', unacked: '0' } });
  });

  it('a connection pushed to column 6 is a connection, not fields of the volume', () => {
    const [r] = parse(readFixture('drbd/status/9-pre9.32-wrap-connection-at-6.txt').body);
    expect(r?.devices.map((d) => Object.keys(d.fields))).toEqual([['volume', 'minor', 'disk', 'backing_dev', 'quorum', 'blocked']]);
    expect(r?.connections).toHaveLength(1);
    expect(r?.connections[0]).toMatchObject({ name: 'dom0-b', nodeId: 1, connection: 'Connected', role: 'Secondary', fields: { congested: 'no', 'rs-in-flight': '0' } });
    expect(r?.connections[0]?.peerDevices.map((p) => [p.volume, p.replication, p.peerDisk])).toEqual([[0, 'Established', 'UpToDate']]);
  });

  it('every name length and counter width the 9.22 printers can meet reads back the states printed', () => {
    const base: DrbdView = { name: 'r', minor: 0, port: 7789, peer: 'dom0-b', nodeId: 0, peerNodeId: 1, address: '10.0.0.1', peerAddress: '10.0.0.2', role: 'Primary', peerRole: 'Secondary', cstate: 'Connected', disk: 'UpToDate', peerDisk: 'UpToDate' };
    const widths = [0, 7, 99, 12345, 1234567, 123456789];
    let pushed = 0;
    for (let n = 1; n <= 64; n++) {
      for (const cstate of ['Connected', 'WFConnection'] as const) {
        for (const [i, w] of widths.entries()) {
          const view: DrbdView = { ...base, name: 'g'.repeat(n), peer: 'h'.repeat(1 + ((n * 7 + i) % 60)), cstate, peerRole: cstate === 'Connected' ? 'Secondary' : 'Unknown' };
          const c = { ...SIM_COUNTERS, readKiB: w, writtenKiB: widths[(i + 2) % widths.length] ?? 0, alWrites: w, sentKiB: w, receivedKiB: widths[(i + 3) % widths.length] ?? 0 };
          for (const flags of [{ verbose: true, statistics: true }, { verbose: true, statistics: false }, { verbose: false, statistics: true }]) {
            for (const print of [statusLong9, statusLong84]) {
              const text = print(view, flags, c);
              if (/\n( {5}| {7}| {9})\S|\n {6}h/.test(text)) pushed++;
              const [r] = parse(text);
              expect(r?.name).toBe(view.name);
              expect(r?.role).toBe('Primary');
              expect(r?.devices.map((d) => d.disk)).toEqual(['UpToDate']);
              expect(r?.connections.map((x) => x.connection)).toEqual([cstate === 'Connected' ? 'Connected' : 'Connecting']);
            }
          }
        }
      }
    }
    // the walk did meet the flaw, in both of its shapes
    expect(pushed).toBeGreaterThan(10);
  });

  it('outside the flaw an odd indent or a name at 6 is still refused, naming the line', () => {
    const odd = parseDrbdStatus('r0 role:Primary\n  disk:UpToDate\n       size:1\n');
    expect(odd.ok ? null : [odd.error.line, odd.error.expected]).toEqual([3, 'indent of 0, 2, 4, 6 or 8 spaces']);
    const name = parseDrbdStatus('r0 role:Primary\n  disk:UpToDate\n      peer role:Secondary\n');
    expect(name.ok ? null : [name.error.line, name.error.message]).toEqual([3, expect.stringMatching(/key:value tokens, got "peer"/)]);
  });
});

// drbd-utils 9.32.0 on wraps through the changed wrap_printf (test/sim/render/wrap-printf.ts): no
// line is pushed right any more, but a line may run to 81 + its indent columns, and a one-letter
// resource or peer name is followed by its next field's indent (`r    role:Primary`).
describe('drbdadm status of drbd-utils 9.32 and later: long lines, nothing pushed right', () => {
  it('every name length and counter width the 9.32 printers can meet reads back the states printed', () => {
    const base: DrbdView = { name: 'r', minor: 0, port: 7789, peer: 'dom0-b', nodeId: 0, peerNodeId: 1, address: '10.0.0.1', peerAddress: '10.0.0.2', role: 'Primary', peerRole: 'Secondary', cstate: 'Connected', disk: 'UpToDate', peerDisk: 'UpToDate' };
    const widths = [0, 7, 99, 12345, 1234567, 123456789];
    let past80 = 0;
    let oneLetterGap = 0;
    for (let n = 1; n <= 64; n++) {
      for (const cstate of ['Connected', 'WFConnection'] as const) {
        for (const [i, w] of widths.entries()) {
          const view: DrbdView = { ...base, name: 'g'.repeat(n), peer: 'h'.repeat(1 + ((n * 7 + i) % 60)), cstate, peerRole: cstate === 'Connected' ? 'Secondary' : 'Unknown' };
          const c = { ...SIM_COUNTERS, readKiB: w, writtenKiB: widths[(i + 2) % widths.length] ?? 0, alWrites: w, sentKiB: w, receivedKiB: widths[(i + 3) % widths.length] ?? 0 };
          for (const flags of [{ verbose: true, statistics: true }, { verbose: true, statistics: false }, { verbose: false, statistics: true }, { verbose: false, statistics: false }]) {
            for (const print of [statusLong9, statusLong84]) {
              const text = print(view, { ...flags, utils: '9.32' }, c);
              const lines = text.split('\n');
              expect(lines.filter((l) => /^( {5}| {7}| {9})\S/.test(l))).toEqual([]);
              if (lines.some((l) => l.length > 80)) past80++;
              if (/^g {4}\S|\n {2}h {6}\S/.test(text)) oneLetterGap++;
              const [r] = parse(text);
              expect(r?.name).toBe(view.name);
              expect(r?.role).toBe('Primary');
              expect(r?.devices.map((d) => d.disk)).toEqual(['UpToDate']);
              expect(r?.connections.map((x) => [x.name, x.connection])).toEqual([[view.peer === 'peer' ? 'peer' : print === statusLong84 ? 'peer' : view.peer, cstate === 'Connected' ? 'Connected' : 'Connecting']]);
            }
          }
        }
      }
    }
    // the walk did meet both of the 9.32 wrapper's shapes
    expect(past80).toBeGreaterThan(10);
    expect(oneLetterGap).toBeGreaterThan(0);
  });
});

