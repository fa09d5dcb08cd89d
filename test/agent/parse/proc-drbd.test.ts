import { describe, expect, it } from 'vitest';
import { parseProcDrbd } from '../../../agent/parse/proc-drbd.js';
import { parseDrbdCstate } from '../../../agent/parse/drbd-role.js';
import { DRBD84_CONN_STATES } from '../../../shared/drbd-words.js';
import { readFixture } from '../../fixture.js';

const parse = (f: string) => {
  const r = parseProcDrbd(readFixture(`drbd/proc/${f}`).body);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};

describe('parseProcDrbd', () => {
  it('8.4.6 WFConnection Secondary/Unknown (after a reboot the peer is unknown)', () => {
    const p = parse('84.6-wfconnection-secondary-unknown.txt');
    expect(p.version).toEqual({ version: '8.4.6', api: 1, protoMin: 86, protoMax: 101, compat84: false });
    expect(p.build).toBe('GIT-hash: 833d830e0152d1e457fa7856e71e11248ccf3f70 build by phil@Build64R7, 2015-04-10 05:13:52');
    expect(p.minors).toHaveLength(1);
    expect(p.minors[0]).toMatchObject({
      minor: 1,
      unconfigured: false,
      cs: 'WFConnection',
      role: 'Secondary',
      peerRole: 'Unknown',
      disk: 'Inconsistent',
      peerDisk: 'DUnknown',
      protocol: 'C',
      flags: 'r-----',
      outOfSyncKiB: 40448704,
      sync: null,
    });
    expect(p.minors[0]?.unconfigured === false && p.minors[0].counters['ns']).toBe('484');
  });
  it('8.4.6 StandAlone: protocol column is a space', () => {
    const m = parse('84.6-standalone-primary.txt').minors[0];
    expect(m).toMatchObject({ cs: 'StandAlone', role: 'Primary', peerRole: 'Unknown', disk: 'UpToDate', peerDisk: 'Inconsistent', protocol: null });
  });
  it('8.4.10 Connected with srcversion build line', () => {
    const p = parse('84.10-connected-srcversion.txt');
    expect(p.build).toBe('srcversion: 983FCB77F30137D4E127B83');
    expect(p.minors[0]).toMatchObject({ minor: 1, cs: 'Connected', role: 'Primary', peerRole: 'Secondary', outOfSyncKiB: 0 });
  });
  it('8.4.11 SyncSource progress (MiB units)', () => {
    const m = parse('84.11-syncsource-partial.txt').minors[0];
    expect(m).toMatchObject({ minor: 0, cs: 'SyncSource', disk: 'UpToDate', peerDisk: 'Inconsistent' });
    expect(m?.unconfigured === false && m.sync).toEqual({
      verify: false,
      percent: 18.6,
      leftKiB: 776076 * 1024,
      totalKiB: 952288 * 1024,
      finish: null,
      speedKiBs: null,
      wantKiBs: null,
      stalled: false,
    });
  });
  it('8.4 Unconfigured minor, SyncTarget with finish/want, gap in minors', () => {
    const p = parse('84-synctarget-unconfigured.txt');
    expect(p.build).toBe('srcversion: 9B671CCC1F00886BA069043');
    expect(p.minors.map((m) => [m.minor, m.unconfigured])).toEqual([[0, true], [1, false], [4, false]]);
    const m = p.minors[1];
    expect(m?.unconfigured === false && m.sync).toEqual({
      verify: false,
      percent: 27.8,
      leftKiB: 3100 * 1024,
      totalKiB: 4292 * 1024,
      finish: '0:01:02',
      speedKiBs: 50920,
      wantKiBs: 102400,
      stalled: false,
    });
  });
  it('8.3.11: finish on the same line as sync\'ed', () => {
    const p = parse('83.11-unconfigured-syncsource.txt');
    expect(p.version.api).toBe(88);
    const m = p.minors[1];
    expect(m?.unconfigured === false && m.sync).toMatchObject({ percent: 0.1, finish: '4882:52:29', speedKiBs: 1312, wantKiBs: null });
  });
  it.each([
    ['\tfinish: ∞ speed: -1,024 (-512 -- 50,904) want: 102,400 K/sec', { finish: null, speedKiBs: -1024, wantKiBs: 102400 }],
    ['\tfinish: 0:05:10 speed: 10,240 (-2,048 -- 50,904) K/sec', { finish: '0:05:10', speedKiBs: 10240, wantKiBs: null }],
  ])('DRBD 9.2.19 and later in 8.4 compatibility: signed speeds, and finish ∞ while out-of-sync does not shrink: %s', (finishLine, sync) => {
    const text =
      'version: 9.2.19 (api:2/proto:86-124) (compat 8.4)\nGIT-hash: 0123456789abcdef0123456789abcdef01234567 build by root@hv1, 2026-06-20 10:00:00\n' +
      ' 0: cs:SyncTarget ro:Secondary/Primary ds:Inconsistent/UpToDate C r-----\n' +
      '    ns:0 nr:1220608 dw:1220608 dr:0 al:8 bm:0 lo:0 pe:3 ua:0 ap:0 ep:1 wo:f oos:3174400\n' +
      "\t[====>...............] sync'ed: 27.8% (3100/4292)M\n" +
      `${finishLine}\n` +
      '\t 27% sector pos: 2441216/8790016\n';
    const r = parseProcDrbd(text);
    const m = r.ok ? r.value.minors[0] : undefined;
    expect(r.ok ? m?.unconfigured === false && m.sync : r.error.message).toMatchObject({ percent: 27.8, stalled: false, ...sync });
  });
  it('8.3 with proc_details=2: verify progress, cache lines and the resync extent dump are read past, the progress kept', () => {
    const p = parse('83.16-gen-verify-proc-details-2.txt');
    expect(p.minors.map((m) => [m.minor, m.unconfigured])).toEqual([[0, false], [1, true], [3, false]]);
    const [verify, , target] = p.minors;
    expect(verify).toMatchObject({ cs: 'VerifyS', outOfSyncKiB: 0 });
    expect(verify?.unconfigured === false && verify.sync).toEqual({
      verify: true,
      percent: 21.3,
      leftKiB: 806264,
      totalKiB: 1024000,
      finish: '0:02:37',
      speedKiBs: 5120,
      wantKiBs: 10240,
      stalled: true,
    });
    expect(target?.unconfigured === false && target.sync).toMatchObject({ verify: false, percent: 50, leftKiB: 1048576, wantKiBs: 20480, stalled: false });
  });
  it('8.4 with proc_details=2: the verify target (no want:), a stop sector, blocked on activity log', () => {
    const m = parse('84.11-gen-verify-target-proc-details-2.txt').minors[0];
    expect(m?.unconfigured === false && m.sync).toEqual({ verify: true, percent: 9.9, leftKiB: 7381 * 1024, totalKiB: 8192 * 1024, finish: '0:12:38', speedKiBs: 9916, wantKiBs: null, stalled: false });
  });
  it('a resync extent line is taken only after the dump heading of the same minor', () => {
    const head = 'version: 8.3.16 (api:88/proto:86-97)\nGIT-hash: x build by y, z\n 0: cs:Connected ro:Primary/Secondary ds:UpToDate/UpToDate C r-----\n    ns:0 nr:0 dw:0 dr:0 al:0 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:0\n';
    const bad = parseProcDrbd(`${head}\t 0: FREE\n`);
    expect(bad.ok ? null : bad.error.line).toBe(5);
    const afterNextMinor = parseProcDrbd(`${head}\tnn: lc_number refcnt rs_left\n \t 0: FREE\n 1: cs:Unconfigured\n\t 1: FREE\n`);
    expect(afterNextMinor.ok ? null : afterNextMinor.error.line).toBe(8);
    expect(parseProcDrbd(`${head}\tnn: lc_number refcnt rs_left\n \t 0: FREE\n\t 1:    5    0       12 NO_WRITES ------\n`).ok).toBe(true);
  });
  it("a sync'ed: line without its K or M is refused naming the missing unit, also with finish: on the same line (8.3.11)", () => {
    // the real 8.3.11 capture, its unit taken out
    const text = readFixture('drbd/proc/83.11-unconfigured-syncsource.txt').body.replace('(22888476/22888772)Mfinish:', '(22888476/22888772)finish:');
    const r = parseProcDrbd(text);
    expect(r.ok ? null : r.error).toMatchObject({
      line: 6,
      text: "\t[>....................] sync'ed:  0.1% (22888476/22888772)finish: 4882:52:29 speed: 1,312 (1,280) K/sec",
      expected: 'its unit, K or M, right after the sync\'ed: figures "(22888476/22888772)"; there is none',
    });
    expect(r.ok ? null : r.error.message).toContain('"\\t[>....................] sync\'ed:  0.1% (22888476/22888772)finish:');
    const alone = parseProcDrbd(text.replace('finish: 4882:52:29 speed: 1,312 (1,280) K/sec', ''));
    expect(alone.ok ? null : alone.error.expected).toMatch(/^its unit, K or M/);
  });
  it('a finish that is neither h:mm:ss nor ∞ is still refused', () => {
    const r = parseProcDrbd("version: 8.4.11 (api:1/proto:86-101)\nsrcversion: X\n 0: cs:SyncSource ro:Primary/Secondary ds:UpToDate/Inconsistent C r-----\n\t[>....] sync'ed: 1.0% (9/10)M\n\tfinish: -1:00:00 speed: 1 (1) K/sec\n");
    expect(r.ok ? null : r.error.message).toContain('finish: h:mm:ss (or ∞) speed: N (N) [want: N] K/sec');
  });
  it('8.0: one protocol version (proto:86), st: for the roles, four flag letters, resync: and act_log: lines', () => {
    const p = parse('80.14-xen-blog-sync.txt');
    expect(p.version).toEqual({ version: '8.0.14', api: 86, protoMin: 86, protoMax: 86, compat84: false });
    expect(p.build).toBe('GIT-hash: bb447522fc9a87d0069b7e14f0234911ebdab0f7 build by phil@fat-tyre, 2008-11-12 16:40:33');
    expect(p.minors).toEqual([
      expect.objectContaining({ minor: 0, cs: 'Connected', role: 'Primary', peerRole: 'Secondary', disk: 'UpToDate', peerDisk: 'UpToDate', protocol: 'C', flags: 'r---', outOfSyncKiB: null }),
      expect.objectContaining({ minor: 1, cs: 'Connected', flags: 'r---', sync: null }),
    ]);
    expect(p.minors[0]).toMatchObject({ sync: { percent: 1, leftKiB: 10380903, totalKiB: 10485760, finish: '0:07:43', speedKiBs: 10836, stalled: false } });
  });
  it('up to 8.3.8: a resync without progress for 20 s prints `stalled` where finish: would be', () => {
    const p = parse('83.7-gen-stalled.txt');
    expect(p.minors[0]).toMatchObject({ cs: 'SyncTarget', sync: { percent: 50, leftKiB: 2048, totalKiB: 4096, finish: null, speedKiBs: null, stalled: true } });
    // with no progress line before it, `stalled` belongs to nothing: refused like any stray line
    const stray = parseProcDrbd('version: 8.3.7 (api:88/proto:86-91)\nGIT-hash: x\n 0: cs:Connected ro:Primary/Secondary ds:UpToDate/UpToDate C r----\n\tstalled\n');
    expect(stray.ok ? null : stray.error.line).toBe(4);
  });
  it('DRBD 8.0 to 8.3.9: an online verify prints only a percent and bitmap bits done/total', () => {
    // no capture of an 8.3 online verify was found: this is what drbd_seq_show of 8.3.7 (LINBIT
    // drbd-8.4 commit ea9e28db) prints for it, "\t%3d%%      %lu/%lu\n" after the counters,
    // with a connected minor beside it
    const text = [
      'version: 8.3.7 (api:88/proto:86-91)',
      'GIT-hash: ea9e28dbff98e331a62bcbcc63a6135808fe2917 build by root@xen1, 2010-05-20 11:00:00',
      ' 0: cs:VerifyS ro:Primary/Secondary ds:UpToDate/UpToDate C r----',
      '    ns:0 nr:0 dw:0 dr:442368 al:0 bm:0 lo:0 pe:1 ua:0 ap:0 ep:1 wo:b oos:0',
      '\t 42%      110592/262144',
      ' 1: cs:Connected ro:Secondary/Primary ds:UpToDate/UpToDate C r----',
      '    ns:0 nr:1024 dw:1024 dr:0 al:0 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:b oos:0',
    ].join('\n');
    const r = parseProcDrbd(`${text}\n`);
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    const p = r.value;
    // 110592 of 262144 bitmap bits verified, 4 KiB each
    expect(p.minors[0]).toMatchObject({ cs: 'VerifyS', sync: { verify: true, percent: 42, leftKiB: (262144 - 110592) * 4, totalKiB: 262144 * 4, finish: null, speedKiBs: null, stalled: false } });
    expect(p.minors[1]).toMatchObject({ minor: 1, cs: 'Connected', sync: null });
    // 8.0 to 8.2 (drbd_proc.c before LINBIT commit a3800c02, February 2008) printed oos: in bits there too
    const old = parseProcDrbd('version: 8.0.16 (api:86/proto:86)\nGIT-hash: x build by y, z\n 0: cs:VerifyT st:Secondary/Primary ds:UpToDate/UpToDate C r---\n    ns:0 nr:0 dw:0 dr:0 al:0 bm:0 lo:0 pe:0 ua:1 ap:0\n\t  7% oos:3  1000/13000\n');
    expect(old.ok && old.value.minors[0]).toMatchObject({ cs: 'VerifyT', sync: { verify: true, percent: 7, leftKiB: 12000 * 4, totalKiB: 13000 * 4 } });
    // git builds between 8.3.9 and 8.3.10 printed the sync'ed: line first: that one is kept, as a verify
    const both = parseProcDrbd("version: 8.3.9 (api:88/proto:86-95)\nGIT-hash: x build by y, z\n 0: cs:VerifyT ro:Secondary/Primary ds:UpToDate/UpToDate C r-----\n    ns:0 nr:0 dw:0 dr:0 al:0 bm:0 lo:0 pe:0 ua:1 ap:0 ep:1 wo:b oos:0\n\t[====>...............] sync'ed: 25.0% (3072/4096)K\n\tfinish: 0:00:03 speed: 1,024 (1,024) K/sec\n\t 25%      256/1024\n");
    expect(both.ok && both.value.minors[0]).toMatchObject({ sync: { verify: true, percent: 25, leftKiB: 3072, totalKiB: 4096, finish: '0:00:03' } });
  });
  it('DRBD 9: version, build, transports, no minors', () => {
    const p = parse('9.0.32-version-only.txt');
    expect(p.version.version).toBe('9.0.32-1');
    expect(p.version.api).toBe(2);
    expect(p.transports).toBe('Transports (api:17): tcp (9.0.32-1)');
    expect(p.minors).toEqual([]);
    const compat = parseProcDrbd('version: 9.2.12 (api:2/proto:86-122) (compat 8.4)\nGIT-hash: x build by y, z\n');
    expect(compat.ok && compat.value.version.compat84).toBe(true);
  });
  it('DRBD 0.7 (ld: where 8.0 has ds:) is refused as such', () => {
    // verbatim from Maurice Volaski's /proc/drbd (DRBD 0.7.19) on linux-kernel, 11 Jun 2006
    const text = [
      'version: 0.7.19 (api:78/proto:74)',
      'SVN Revision: 2212 build by root@thewarehouse1, 2006-05-28 17:54:59',
      '   0: cs:SyncSource st:Primary/Secondary ld:Consistent',
      '      ns:844864 nr:0 dw:325684 dr:940453 al:200 bm:123 lo:0 pe:0 ua:13 ap:0',
    ].join('\n');
    const r = parseProcDrbd(`${text}\n`);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatchObject({ line: 3, expected: expect.stringMatching(/DRBD 0\.7 .*not support/) });
  });

  it('failures name the line; never throw', () => {
    const cases: Array<[string, number]> = [
      ['', 0],
      ['versio: 8.4.11\n', 1],
      ['version: 8.4.11 (api:1/proto:86-101)\nsrcversion: X\n 0: cs:Connectd ro:Primary/Secondary ds:UpToDate/UpToDate C r-----\n', 3],
      ['version: 8.4.11 (api:1/proto:86-101)\nsrcversion: X\n 0: cs:Connected ro:Primary/Secundary ds:UpToDate/UpToDate C r-----\n', 3],
      ['version: 8.4.11 (api:1/proto:86-101)\nsrcversion: X\n 0: cs:Connected ro:Primary/Secondary ds:UpToDate/Fine C r-----\n', 3],
      ['version: 8.4.11 (api:1/proto:86-101)\nsrcversion: X\n    ns:0 nr:0\n', 3],
      ['version: 8.4.11 (api:1/proto:86-101)\nsrcversion: X\n 0: cs:SyncSource ro:Primary/Secondary ds:UpToDate/Inconsistent C r-----\n\tfinish: soon\n', 4],
      ['version: 8.4.11 (api:1/proto:86-101)\nsrcversion: X\n 0: cs:Connected ro:Primary/Secondary ds:UpToDate/UpToDate C r-----\nwhat is this\n', 4],
    ];
    for (const [t, line] of cases) {
      const r = parseProcDrbd(t);
      expect(r.ok, t).toBe(false);
      if (!r.ok) expect(r.error.line, t).toBe(line);
    }
    expect(() => parseProcDrbd('\t'.repeat(5000))).not.toThrow();
  });
});

// every cs: word of the 8.4 kernel (drbd_strings.c drbd_conn_s_names), as drbd_seq_show prints a minor
describe('parseProcDrbd: each 8.4 connection state', () => {
  it.each(DRBD84_CONN_STATES.map((cs) => [cs]))('cs:%s', (cs) => {
    const proto = cs === 'StandAlone' ? ' ' : 'C';
    const text = `version: 8.4.11 (api:1/proto:86-101)\nsrcversion: F73C670A7EC572DB9CF3E5B \n 0: cs:${cs} ro:Secondary/Unknown ds:UpToDate/DUnknown ${proto} r-----\n    ns:0 nr:0 dw:0 dr:0 al:0 bm:0 lo:0 pe:0 ua:0 ap:0 ep:1 wo:f oos:0\n`;
    const r = parseProcDrbd(text);
    expect(r.ok && r.value.minors[0]).toMatchObject({ minor: 0, unconfigured: false, cs });
    expect(parseDrbdCstate(`${cs}\n`)).toEqual({ ok: true, value: [{ kind: 'cstate', state: cs }] });
  });
});
