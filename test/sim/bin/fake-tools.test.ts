import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { Sim } from '../sim.js';
import { simPerTest } from '../sim-per-test.js';
import { until } from '../../helpers/until.js';

/** The real thing: fake executables on PATH talking to the daemon over its unix socket. */
const run = promisify(execFile);
const FLEET = `
host xen1 mem=16384 cpus=8 toolstack=xl drbd=8.4
host xen2 mem=16384 cpus=8 toolstack=xl drbd=8.4
host old1 mem=8192 cpus=4 toolstack=xm drbd=none
domu web1 mem=2048 vcpus=2 home=xen1 peer=xen2 drbd=r1 running=xen1
`;

const startSim = simPerTest();

const sh = (s: Sim, host: string, cmd: string, args: string[]) =>
  run(cmd, args, { env: { ...process.env, ...s.env(host) } }).then(
    (r) => ({ ...r, code: 0 }),
    (e: { stdout: string; stderr: string; code: number }) => ({ stdout: e.stdout, stderr: e.stderr, code: e.code }),
  );

function stream(s: Sim, host: string, cmd: string, args: string[]) {
  const child = spawn(cmd, args, { env: { ...process.env, ...s.env(host) } });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  /** waits until the output so far holds TEXT */
  const shows = (text: string): Promise<void> => until(() => out.includes(text), () => `${cmd} ${args.join(' ')} to print ${JSON.stringify(text)} (it printed ${JSON.stringify(out)})`);
  return { child, out: () => out, exited, shows };
}

describe('fake executables', () => {
  it('xl list prints the real format and exit codes come through; the command log records it', async () => {
    const sim = await startSim({ fleet: FLEET, clock: 'real' });
    const ok = await sh(sim, 'xen1', 'xl', ['list']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('web1                                         1  2048     2     -b----       0.0\n');
    const bad = await sh(sim, 'xen1', 'xl', ['list', 'nosuch']);
    expect(bad).toEqual({ stdout: '', stderr: 'nosuch is an invalid domain identifier (rc=-6)\n', code: 1 });
    expect(sim.commandLog.map((e) => [e.host, e.tool, e.argv.join(' '), e.exitCode])).toEqual([
      ['xen1', 'xl', 'list', 0],
      ['xen1', 'xl', 'list nosuch', 1],
    ]);
  });

  it('each host gets only its tools: an xm host has no xl, a host without DRBD no drbdadm', async () => {
    const sim = await startSim({ fleet: FLEET, clock: 'real' });
    expect((await sh(sim, 'old1', 'xm', ['list'])).stdout).toMatch(/^Name {40}ID {3}Mem VCPUs {6}State {3}Time\(s\)\n/);
    await expect(run('xl', ['list'], { env: { ...process.env, ...sim.env('old1'), PATH: sim.binDirFor('old1') } })).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('drbdsetup events2 streams changes until killed; xenstore-watch sees domains come and go', async () => {
    const sim = await startSim({ fleet: FLEET, clock: 'real' });
    const ev = stream(sim, 'xen2', 'drbdsetup', ['events2']);
    const xs = stream(sim, 'xen2', 'xenstore-watch', ['@introduceDomain', '@releaseDomain']);
    await ev.shows('exists -\n');
    await xs.shows('@releaseDomain\n');
    sim.power('xen1', 'off');
    await ev.shows('change connection name:r1 peer-node-id:0 conn-name:peer connection:Connecting role:Unknown\n');
    expect((await sh(sim, 'xen2', 'xl', ['create', '/etc/xen/web1.cfg'])).code).toBe(0);
    await ev.shows('change resource name:r1 role:Primary\n');
    await xs.shows('@introduceDomain\n@releaseDomain\n@introduceDomain\n');
    ev.child.kill('SIGTERM');
    xs.child.kill('SIGTERM');
    expect(await ev.exited).toBe(143);
  });

  it('xenstore-write takes several pairs in one call; no pair or an odd count is its usage error (exit 1), as xenstore_client.c prints it', async () => {
    const sim = await startSim({ fleet: `${FLEET}host new1 mem=8192 cpus=4 toolstack=xl xen=4.19.1 drbd=none\n`, clock: 'real' });
    const pairs = ['/local/domain/1/data/xenherd/dom0', 'xen1', '/local/domain/1/data/xenherd/since', '2025-01-01T00:00:00.000Z'];
    expect(await sh(sim, 'xen1', 'xenstore-write', pairs)).toEqual({ stdout: '', stderr: '', code: 0 });
    expect((await sh(sim, 'xen1', 'xenstore-read', [pairs[0] as string, pairs[2] as string])).stdout).toBe('xen1\n2025-01-01T00:00:00.000Z\n');
    const usage417 = { stdout: '', stderr: 'xenstore-write: Usage: xenstore-write [-h] [-s] [-R] key value [...]\n', code: 1 };
    expect(await sh(sim, 'xen1', 'xenstore-write', [])).toEqual(usage417);
    expect(await sh(sim, 'xen1', 'xenstore-write', ['/local/domain/9/x', 'v', '/local/domain/9/y'])).toEqual(usage417);
    // -h is usage(0, …) in xenstore_client.c: the same line, exit 0
    expect(await sh(sim, 'xen1', 'xenstore-write', ['-h'])).toEqual({ ...usage417, code: 0 });
    // Xen 4.18 dropped the removed -s from the usage line
    expect(await sh(sim, 'new1', 'xenstore-write', ['/x'])).toEqual({ stdout: '', stderr: 'xenstore-write: Usage: xenstore-write [-h] [-R] key value [...]\n', code: 1 });
    expect(await sh(sim, 'xen1', 'xenstore-watch', [])).toEqual({ stdout: '', stderr: 'xenstore-watch: Usage: xenstore-watch [-h] [-n NR] key\n', code: 1 });
    // the odd count wrote nothing, not even its first pair
    expect((await sh(sim, 'xen1', 'xenstore-read', ['/local/domain/9/x'])).code).toBe(1);
  });

  it('xenstore-watch prints each watched path once when the watch is set, then a line per event, and runs until killed', async () => {
    const sim = await startSim({ fleet: FLEET, clock: 'real' });
    const xs = stream(sim, 'xen1', 'xenstore-watch', ['@introduceDomain', '@releaseDomain']);
    await xs.shows('@introduceDomain\n@releaseDomain\n');
    expect((await sh(sim, 'xen1', 'xl', ['destroy', 'web1'])).code).toBe(0);
    await xs.shows('@introduceDomain\n@releaseDomain\n@releaseDomain\n');
    // the event's line, and nothing else: the watch is set once, not again
    expect(xs.out()).toBe('@introduceDomain\n@releaseDomain\n@releaseDomain\n');
    expect(xs.child.exitCode).toBeNull();
    xs.child.kill('SIGTERM');
    expect(await xs.exited).toBe(143);
  });

  it('faults: garbage, slow, and a hang that only ends when the process is killed', async () => {
    const sim = await startSim({ fleet: FLEET, clock: 'real' });
    sim.toolFault('xen1', 'xl', { kind: 'garbage', text: 'Segmentation fault\n', exitCode: 139 }, { times: 1 });
    expect(await sh(sim, 'xen1', 'xl', ['list'])).toEqual({ stdout: 'Segmentation fault\n', stderr: '', code: 139 });
    sim.toolFault('xen1', 'drbdadm', { kind: 'slow', ms: 300 }, { times: 1 });
    const t0 = Date.now();
    expect((await sh(sim, 'xen1', 'drbdadm', ['role', 'r1'])).stdout).toBe('Primary/Secondary\n');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(300);
    sim.toolFault('xen1', 'xl', { kind: 'hang' });
    const hung = await run('xl', ['info'], { env: { ...process.env, ...sim.env('xen1') }, timeout: 300 }).catch((e: { killed: boolean }) => e);
    expect((hung as { killed: boolean }).killed).toBe(true);
  });
});
