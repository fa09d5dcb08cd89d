import { describe, expect, it } from 'vitest';
import { parseProcDrbd, type ProcDrbdMinor } from '../../../agent/parse/proc-drbd.js';
import { parseXmInfo } from '../../../agent/parse/xl-info.js';
import { parseXmList } from '../../../agent/parse/xm-list.js';
import { readFixture } from '../../fixture.js';

// /proc/drbd and `xm list` as operators pasted them (each fixture names where): what each field
// reads as, so a change that misreads a real capture fails here.

const proc = (f: string) => {
  const r = parseProcDrbd(readFixture(`drbd/proc/${f}`).body);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};
const configured = (m: ProcDrbdMinor | undefined) => {
  if (m === undefined || m.unconfigured) throw new Error('expected a configured minor');
  return m;
};

describe('/proc/drbd pasted in public how-tos', () => {
  it('8.4.10-1 (a packaging suffix on the version), WFConnection, the sixth flag "s" kept as printed', () => {
    const p = proc('84.10-1-wfconnection-al-suspended.txt');
    expect(p.version).toEqual({ version: '8.4.10-1', api: 1, protoMin: 86, protoMax: 101, compat84: false });
    expect(p.build).toMatch(/^GIT-hash: a4d5de01/);
    const m = configured(p.minors[0]);
    expect(m).toMatchObject({ minor: 0, cs: 'WFConnection', role: 'Secondary', peerRole: 'Unknown', disk: 'Inconsistent', peerDisk: 'DUnknown', protocol: 'C', flags: 'r----s', outOfSyncKiB: 6835924, sync: null });
  });

  it('8.4.10-1 SyncSource with the kernel tabs: progress in MiB read as KiB', () => {
    const m = configured(proc('84.10-1-syncsource-tabs.txt').minors[0]);
    expect(m.cs).toBe('SyncSource');
    expect(m.sync).toEqual({ verify: false, percent: 55.1, leftKiB: 3004 * 1024, totalKiB: 6672 * 1024, finish: '0:05:53', speedKiBs: 8696, wantKiBs: null, stalled: false });
  });

  it('8.4.5 at the end of a resync: "sync\'ed:100.0%" with no blank, KiB figures', () => {
    const p = proc('84.5-syncsource-100pct.txt');
    expect(p.build).toBe('srcversion: 611D9EEFB9C11D2BC709D07');
    const m = configured(p.minors[0]);
    expect(m.sync).toEqual({ verify: false, percent: 100, leftKiB: 572, totalKiB: 592, finish: '0:00:01', speedKiBs: 20, wantKiBs: null, stalled: false });
    expect(m.outOfSyncKiB).toBe(572);
  });
});

describe('xm list pasted in a public how-to', () => {
  it('a CPU time filling %8.1f leaves one blank after the state; domids above 99, rows in xend order', () => {
    const r = parseXmList(readFixture('xm/list-se017-cpu-time-wide.txt').body);
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.map((d) => [d.name, d.domid, d.memMiB, d.vcpus, d.state, d.cpuTimeS])).toEqual([
      ['Domain-0', 0, 1852, 8, 'running', 348510.6],
      ['vm16', 121, 2048, 8, 'blocked', 2552.8],
      ['vm24', 122, 2048, 8, 'blocked', 2523.5],
      ['vm32', 123, 2048, 8, 'blocked', 2594.8],
      ['vm40', 124, 2048, 8, 'blocked', 66280],
      ['vm48', 125, 2048, 8, 'blocked', 60234],
      ['vm56', 126, 2048, 8, 'blocked', 72054.2],
      ['vm8', 120, 2048, 8, 'blocked', 2661.7],
    ]);
  });
});

describe('xm info pasted in a forum thread', () => {
  it('Xen 3.3.0: an empty virt_caps takes no following line as its table, trailing blanks dropped', () => {
    const r = parseXmInfo(readFixture('xm/info-3.3.0-debian-lenny-i686.txt').body);
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value).toMatchObject({ host: 'chetan-laptop', xenMajor: 3, xenMinor: 3, xenExtra: '.0', xenVersion: '3.3.0', totalMemoryMiB: 2046, freeMemoryMiB: 126, nrCpus: 2, xenCaps: ['xen-3.0-x86_32p'], xenScheduler: 'credit', xenCommandline: null });
    expect(r.value.raw).toMatchObject({ virt_caps: '', total_memory: '2046', node_to_cpu: 'node0:0-1', cc_compiler: 'gcc version 4.3.2 (Ubuntu 4.3.2-1ubuntu12)', xend_config_format: '4' });
  });
});
