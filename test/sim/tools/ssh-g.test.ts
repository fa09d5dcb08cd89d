import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { runTool } from '../../../agent/adapters/exec.js';
import { writeRootSshConfig } from '../../harness/root-ssh-config.js';
import { readFixture } from '../../fixture.js';
import { simPerTest } from '../sim-per-test.js';

// The simulator's `ssh -G` applies root's ~/.ssh/config as OpenSSH does; where the machine has
// OpenSSH, the same config file goes through the real `ssh -F FILE -G` and the hostname and port
// lines must agree (the rest of the dump is the real one's head).
const startSim = simPerTest();
const fleet = 'host xen1 mem=8192 cpus=2 toolstack=xl xen=4.17.7 drbd=8.4\nhost xen2 mem=8192 cpus=2 toolstack=xl xen=4.17.7 drbd=8.4\n';

const CONFIG = `Host xen2 !xen3
  HostName 10.0.0.2
Host xen*
  Port=2222
  HostName %h.example.org
Host *
  Port 22
`;

const routeLines = (out: string): string => out.split('\n').filter((l) => /^(hostname|port|proxyjump|proxycommand) /.test(l)).join('\n');

/** root's config given to both: the simulator's (under the host's root) and, where installed, the real `ssh -F FILE -G` */
async function bothSides(sim: Awaited<ReturnType<typeof startSim>>, config: string, names: readonly string[]): Promise<{ fake: string[]; real: string[] | null }> {
  writeRootSshConfig(sim.hostRoot('xen1'), {});
  writeFileSync(join(sim.hostRoot('xen1'), 'root/.ssh/config'), config);
  const fake = await Promise.all(names.map(async (n) => routeLines((await sim.run('xen1', 'ssh', ['-G', '--', n])).stdout)));
  const dir = mkdtempSync(join(tmpdir(), 'xh-ssh-g-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'config'), config);
  const probe = await runTool('ssh', ['-V'], { timeoutMs: 10_000 });
  if (!probe.ok && probe.error.code === 'XH_ERR_TOOL_NOT_FOUND') return { fake, real: null };
  const sys = await Promise.all(names.map(async (n) => runTool('ssh', ['-F', join(dir, 'config'), '-G', '--', n], { timeoutMs: 10_000 })));
  return { fake, real: sys.map((r) => (r.ok ? routeLines(r.value.stdout) : r.error.message)) };
}

describe('ssh -G on a simulated Dom0', () => {
  it('first value wins, patterns with * and ! matched as given, %h expanded, the hostname lower-cased: as OpenSSH 9.2 prints them', async () => {
    const sim = await startSim({ fleet });
    const { fake, real } = await bothSides(sim, CONFIG, ['xen2', 'XEN3', 'xen4', 'other']);
    expect(fake).toEqual(['hostname 10.0.0.2\nport 2222', 'hostname xen3\nport 22', 'hostname xen4.example.org\nport 2222', 'hostname other\nport 22']);
    if (real !== null) expect(real).toEqual(fake);
    const captured = readFixture('ssh/G-9.2p1-host-entry.txt').body.split('\n');
    expect((await sim.run('xen1', 'ssh', ['-G', 'xen2'])).stdout.split('\n').slice(0, 4)).toEqual(['host xen2', 'user root', 'hostname 10.0.0.2', 'port 2222']);
    expect(captured.slice(0, 4)).toEqual(['host xen2', 'user root', 'hostname 10.0.0.2', 'port 2222']);
  });

  it('ProxyJump and ProxyCommand: the first one set wins (a ProxyJump none aside), printed only when set, as OpenSSH 9.2 prints them', async () => {
    const sim = await startSim({ fleet });
    const config = `Host xen2
  ProxyJump admin@jump1:2200
  ProxyCommand nc %h %p
Host xen3
  HostName 10.0.0.3
  ProxyCommand ssh -W %h:%p bastion
Host xen4
  ProxyJump none
  ProxyCommand nc %h %p
Host xen5
  ProxyCommand none
  ProxyJump j1
Host xen6
  ProxyJump none
  ProxyJump j2
`;
    const { fake, real } = await bothSides(sim, config, ['xen2', 'xen3', 'xen4', 'xen5', 'xen6']);
    expect(fake).toEqual(['hostname xen2\nport 22\nproxyjump admin@jump1:2200', 'hostname 10.0.0.3\nport 22\nproxycommand ssh -W %h:%p bastion', 'hostname xen4\nport 22\nproxycommand nc %h %p', 'hostname xen5\nport 22', 'hostname xen6\nport 22']);
    if (real !== null) expect(real).toEqual(fake);
  });

  it('anything but -G fails, so a test never takes it for a connection', async () => {
    const sim = await startSim({ fleet });
    expect(await sim.run('xen1', 'ssh', ['xen2', 'true'])).toMatchObject({ exitCode: 255 });
    expect(await sim.run('xen1', 'ssh', ['-G'])).toMatchObject({ exitCode: 255 });
  });
});
