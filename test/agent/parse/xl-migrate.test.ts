import { describe, expect, it } from 'vitest';
import { classifyXlMigrate } from '../../../agent/parse/xl-migrate.js';
import { classifyXmMigrate } from '../../../agent/parse/xm-migrate.js';
import { readFixture } from '../../fixture.js';

const xl = (fixture: string, exitCode: number | null) => classifyXlMigrate(readFixture(fixture).body, exitCode);

describe('classifyXlMigrate', () => {
  it('success, Xen 4.9 (real)', () => {
    expect(xl('xl/migrate-4.9-success.txt', 0)).toEqual({ kind: 'success', domainAt: 'target', decisiveLine: 'Migration successful.', errorLines: [], exitCode: 0 });
  });
  it('success with legacy progress lines (real)', () => {
    expect(xl('xl/migrate-4.4-success-progress.txt', 0)).toMatchObject({ kind: 'success', domainAt: 'target' });
  });
  it("a bad xl.conf's complaint (no newline) does not hide the line it runs into", () => {
    // GENERATED: tools/xl/xl.c parse_global_config's complaint, then migrate_domain's (xl_migrate.c, RELEASE-4.17.7)
    const stderr = 'invalid autoballoon optionNo config file stored for running domain and none supplied - cannot migrate.\n';
    expect(classifyXlMigrate(stderr, 1)).toMatchObject({ kind: 'no-config', domainAt: 'source', decisiveLine: 'No config file stored for running domain and none supplied - cannot migrate.' });
  });
  it('success line with a non-zero exit is not success', () => {
    expect(xl('xl/migrate-4.9-success.txt', 1)).toMatchObject({ kind: 'unknown', domainAt: 'unknown' });
  });
  it('exit 0 without the success line is not success', () => {
    const cut = readFixture('xl/migrate-4.9-success.txt').body.replace('Migration successful.\n', '');
    expect(classifyXlMigrate(cut, 0)).toMatchObject({ kind: 'unknown', decisiveLine: null });
  });
  it('resumed at sender (lab line: Record … exceeds max)', () => {
    const o = xl('xl/migrate-4.17-resumed-at-sender.txt', 1);
    expect(o).toMatchObject({ kind: 'resumed-at-sender', domainAt: 'source', decisiveLine: 'Migration failed, resuming at sender.' });
    expect(o.errorLines[0]).toBe('xc: error: Record (0x00ff0000, Reserved) length 0xffffffff exceeds max (0x8000000): Internal error');
    expect(o.errorLines).toContain('migration target: Domain creation failed (code -3).');
  });
  it('failed to suspend (lab: logdirty)', () => {
    const o = xl('xl/migrate-4.17-failed-to-suspend.txt', 1);
    expect(o).toMatchObject({ kind: 'failed-to-suspend', domainAt: 'source', decisiveLine: 'Migration failed, failed to suspend at sender.' });
    expect(o.errorLines[0]).toMatch(/^xc: error: Failed to enable logdirty/);
  });
  it('final handshake: state unknown, check both hosts', () => {
    expect(xl('xl/migrate-4.17-final-handshake.txt', 1)).toMatchObject({ kind: 'final-handshake', domainAt: 'unknown', decisiveLine: '** Migration failed during final handshake **' });
    // pre-4.7 exit codes (-ERROR_BADFAIL) do not change the verdict
    expect(xl('xl/migrate-4.17-final-handshake.txt', 249).kind).toBe('final-handshake');
  });
  it('target unreachable: no final line, banner never read', () => {
    expect(xl('xl/migrate-4.17-target-unreachable.txt', 1)).toMatchObject({ kind: 'failed-at-target', domainAt: 'source', decisiveLine: 'ssh: connect to host dom0-b port 22: Connection refused' });
  });
  it('problems at target: target destroyed its copy, sender resumed', () => {
    const o = xl('xl/migrate-4.17-problems-at-target.txt', 1);
    expect(o).toMatchObject({ kind: 'failed-at-target', domainAt: 'source', decisiveLine: 'Migration failed due to problems at target.' });
    expect(o.errorLines).toContain('migration sender: Target reports startup failure (status code 3).');
  });
  it('no stored config', () => {
    expect(xl('xl/migrate-4.17-no-config.txt', 1)).toMatchObject({ kind: 'no-config', domainAt: 'source' });
  });
  it('cut-off transcript with libxl errors only (real, 4.7 commit message): unknown', () => {
    const o = xl('xl/migrate-4.7-legacy-stream-target-error.txt', 1);
    expect(o).toMatchObject({ kind: 'unknown', domainAt: 'unknown', decisiveLine: null });
    expect(o.errorLines).toHaveLength(3);
  });
  it('unknown domain and xend refusals', () => {
    expect(classifyXlMigrate(readFixture('xl/list-unknown-domain.stderr.txt').body, 1).kind).toBe('no-such-domain');
    expect(classifyXlMigrate(readFixture('xl/xend-running.stderr.txt').body, 1)).toMatchObject({ kind: 'xend-running', domainAt: 'source' });
  });
  it('empty transcript', () => {
    expect(classifyXlMigrate('', null)).toEqual({ kind: 'unknown', domainAt: 'unknown', decisiveLine: null, errorLines: [], exitCode: null });
  });
  it('Xen 4.9.0-rc4, the target fails to restore (real, cut before the final line): failed at target, the domain at the source', () => {
    const o = xl('xl/migrate-4.9-rc4-restore-failed-at-target.txt', 1);
    expect(o).toMatchObject({ kind: 'failed-at-target', domainAt: 'source', decisiveLine: 'migration target: Domain creation failed (code -3).' });
    expect(o.errorLines[0]).toBe('xc: error: set HVM param 12 = 0x00000000feffe000 (85 = Interrupted system call should ): Internal error');
    expect(o.errorLines).toContain('libxl: error: libxl_utils.c:510:libxl_read_exactly: file/stream truncated reading ready message from migration receiver stream');
    // with the line RELEASE-4.9.0 xl_migrate.c prints next (failed_resume), the sender's own word decides
    const whole = `${readFixture('xl/migrate-4.9-rc4-restore-failed-at-target.txt').body}Migration failed, resuming at sender.\n`;
    expect(classifyXlMigrate(whole, 1)).toMatchObject({ kind: 'resumed-at-sender', domainAt: 'source' });
  });
});

describe('classifyXmMigrate', () => {
  it('silence and exit 0 is success', () => expect(classifyXmMigrate('', 0)).toMatchObject({ kind: 'success', domainAt: 'target' }));
  it('silence and exit 1 is unknown', () => expect(classifyXmMigrate('', 1).kind).toBe('unknown'));
  it("silence names xend's log: xend 3.1 says nothing of a save that failed, its reason is only there", () => {
    expect(classifyXmMigrate(readFixture('xm/migrate-save-failed-silent-3.1.txt').body, 0)).toEqual({
      kind: 'success', domainAt: 'target', decisiveLine: null, errorLines: [], exitCode: 0, reasonLog: '/var/log/xen/xend.log',
    });
    expect(classifyXmMigrate('', 1).reasonLog).toBe('/var/log/xen/xend.log');
    // a reason xm prints is no pointer to a log
    expect(classifyXmMigrate(readFixture('xm/migrate-cant-connect.stderr.txt').body, 1).reasonLog).toBeUndefined();
  });
  it("can't connect: the target refused, nothing moved", () => {
    expect(classifyXmMigrate(readFixture('xm/migrate-cant-connect.stderr.txt').body, 1)).toEqual({
      kind: 'failed-at-target', domainAt: 'source', decisiveLine: "Error: can't connect: Connection refused", errorLines: ["Error: can't connect: Connection refused"], exitCode: 1,
    });
  });
  it("a reset by the target's relocation server (its hosts-allow refusing the sender): failed at the target, nothing moved, and which settings to look at", () => {
    const refused = { kind: 'failed-at-target', domainAt: 'source', meaning: expect.stringMatching(/xend-relocation-hosts-allow .*\/etc\/xen\/xend-config\.sxp/) };
    expect(classifyXmMigrate(readFixture('xm/migrate-reset-3.2-gen.stderr.txt').body, 1)).toMatchObject({ ...refused, decisiveLine: "Error: (104, 'Connection reset by peer')" });
    // GENERATED from XendDomain._domain_migrate of 3.3 … 4.4, XendError("can't connect: %s" % err), on Python 2.4/2.5 and on 2.6 on
    expect(classifyXmMigrate("Error: can't connect: (104, 'Connection reset by peer')\n", 1)).toMatchObject(refused);
    expect(classifyXmMigrate("Error: can't connect: [Errno 104] Connection reset by peer\n", 1)).toMatchObject(refused);
    // a refused connection is not this: nothing listens there
    expect(classifyXmMigrate(readFixture('xm/migrate-cant-connect.stderr.txt').body, 1).meaning).toBeUndefined();
  });
  it('unknown domain', () => expect(classifyXmMigrate(readFixture('xm/list-unknown-domain.stderr.txt').body, 3).kind).toBe('no-such-domain'));
  it('xc_save failed (Xen 3.2, real capture): xend resumed the domU at the sender, nothing handed over', () => {
    expect(classifyXmMigrate(readFixture('xm/migrate-xc-save-failed-3.2-ubuntu.txt').body, 1)).toEqual({
      kind: 'resumed-at-sender', domainAt: 'source', decisiveLine: 'Error: /usr/lib/xen/bin/xc_save 4 3 0 0 1 failed', errorLines: ['Error: /usr/lib/xen/bin/xc_save 4 3 0 0 1 failed'], exitCode: 1,
      // xc_save's own complaint went to xend's log, not to xm
      reasonLog: '/var/log/xen/xend.log',
    });
    // GENERATED from forkHelper's other complaint (exit status 127: the helper was not started), with Debian's versioned path
    expect(classifyXmMigrate('Error: /usr/lib/xen-4.0/bin/xc_save 23 7 0 0 1 failed: popen failed\n', 1)).toMatchObject({ kind: 'resumed-at-sender', domainAt: 'source' });
  });
  it('xend down', () => expect(classifyXmMigrate(readFixture('xm/no-xend.stderr.txt').body, 1)).toMatchObject({ kind: 'unknown', domainAt: 'source' }));
});
