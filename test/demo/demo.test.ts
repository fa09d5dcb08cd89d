import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// README quick-start line 1 (`npm run demo`) must keep working and must clean up after itself.
describe('npm run demo', () => {
  it('shows each Dom0 as xenherd sees it, exits 0 and leaves no process behind', async () => {
    const child = spawn(process.execPath, ['packaging/run-ts.mjs', 'test/demo/main.ts'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(err).toBe('');
    expect(code).toBe(0);
    for (const host of ['xen1', 'xen2', 'xen3']) expect(out).toContain(`--- on ${host} ---`);
    expect(out).toContain('r9: local Secondary UpToDate | peer Unknown Connecting');
    expect(out).toContain('r9: local Secondary UpToDate | peer Secondary Connected UpToDate');
    expect(out).toContain('db2: not running here');
    // part 3: guarded autostart after a reboot
    expect(out).toMatch(/deferring db2: DRBD resource r9: the peer is Connecting/);
    expect(out).toMatch(/started dns1/);
    expect(out).toMatch(/ERROR NOT starting shop1: DRBD resource r8 is Primary on the peer/);
    expect(out).toMatch(/started db2/);
    expect(out).toContain('Now: dns1 on xen3, db2 on xen3, shop1 on xen2 (not started twice).');
    // part 4: migrate, status ALL on both Dom0s, reverse through the forced command
    expect(out).toMatch(/xen1# xenherd-agent migrate web1[\s\S]*web1 migrated from xen1 to xen2/);
    expect(out).toMatch(/web1 +MIGRATED to xen2 since/);
    expect(out).toMatch(/web1 +visitor from xen1/);
    if (existsSync('/usr/sbin/sshd')) {
      expect(out).toContain('PING from xen1 ...\n    PONG from xen2 ...\n    Success.');
      expect(out).toContain('web1 is back on xen1; ledger updated');
      expect(out).toMatch(/xen2# xenherd-agent reconcile shop1 --home xen3\n {4}xen2: unrecorded-guest: shop1 is recorded as a visitor from xen3/);
      expect(out).toMatch(/shop1 +visitor from xen3, running here/);
    } else {
      expect(out).toContain('apt-get install -y openssh-server');
    }
    const ps = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
    // the demo's sim, fake tools and agent all live under its own xenherd-demo-* dir
    expect(ps).not.toMatch(/xenherd-demo-/);
    expect(ps).not.toMatch(/sshd-xen[12]/);
  }, 120_000);
});
