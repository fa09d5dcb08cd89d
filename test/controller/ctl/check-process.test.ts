import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controllerBed, xen1ReportingWithCa } from '../api/controller-bed.js';

// `xenherdctl check` as shipped (the single-file bundle, a process of its own) against a
// controller served on 127.0.0.1, port 0: the exit code a monitoring system sees.
const bed = controllerBed();
let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'xenherd-check-'));
  execFileSync('node', ['packaging/build.mjs', '--outdir', dir, 'xenherdctl'], { stdio: 'pipe' });
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the bundle (asynchronously: the controller answering it lives in this process); it ends by itself within its timeout. */
function check(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(join(dir, 'xenherdctl'), ['check'], { timeout: 30_000, env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: dir, ...env } }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stdout, stderr });
    });
  });
}

describe('xenherdctl check, the process', () => {
  it('exits 0 with a healthy fleet, and 3 with one UNKNOWN line once the controller is down', async () => {
    const c = await bed.start();
    const ca = await xen1ReportingWithCa(c, dir);
    const env = { XENHERD_URL: c.url, XENHERD_TOKEN: await c.operator('nagios', 'read'), XENHERD_CA: ca };

    const up = await check(env);
    expect(up.stderr).toBe('');
    expect(up.code, up.stdout).toBe(0);
    expect(up.stdout).toMatch(/^XENHERD OK - 1 host reachable, 1 domU running \| 'hosts'=1;;;0 [^\n]*\n$/);

    await c.stop();
    const down = await check(env);
    expect(down.code).toBe(3);
    expect(down.stdout).toMatch(/^XENHERD UNKNOWN - XH_ERR_CONTROLLER_UNREACHABLE: cannot reach the controller at https:\/\/127\.0\.0\.1:\d+: ECONNREFUSED[^\n]*\n$/);
    expect(down.stderr).toBe('');
  });
});
