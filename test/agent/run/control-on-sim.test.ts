import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AgentStatusSchema, type AgentStatus } from '../../../shared/protocol/agent-control.js';
import type { Sim } from '../../sim/sim.js';
import { agentTestBed } from './agent-test-bed.js';
import { AgentProcess, creates, runAsync, sleep, writeConfig } from './agent-process.js';

// The operator's side of the daemon: `xenherd-agent autostart …` over the control socket, SIGHUP,
// systemd's READY, the start-up coexistence warnings, a bad config.

const FLEET = `
option bandwidth=1024 connect-delay=300
host xen1 mem=32768 cpus=8 toolstack=xl xen=4.17.7 drbd=8.4
host xen2 mem=32768 cpus=8 toolstack=xl xen=4.17.7 drbd=8.4
domu web1 mem=2048 vcpus=2 home=xen1 peer=xen2 drbd=r1 running=no
domu db1 mem=2048 vcpus=2 home=xen1 peer=xen2 drbd=r2 running=xen2
`;
const FAST = { autostart: { deferRecheckSeconds: 30, deferJitterSeconds: 1 }, events: { respawnMaxSeconds: 1 } };

const bed = agentTestBed();
let sim: Sim;

async function boot(config: unknown = FAST, env: Record<string, string> = {}, setup: (s: Sim) => void = () => undefined): Promise<AgentProcess> {
  sim = await bed.startSim(FLEET);
  sim.power('xen1', 'off');
  sim.power('xen1', 'on');
  setup(sim);
  const a = new AgentProcess(bed.agentPath(), sim, 'xen1', writeConfig(sim.dir, config), env);
  bed.track(a);
  await a.waitLog((l) => l.msg.startsWith('ready'));
  return a;
}

const cli = (...args: string[]) => runAsync(process.execPath, [bed.agentPath(), 'autostart', ...args], sim.env('xen1'));
async function status(): Promise<AgentStatus> {
  const r = await cli('status', '--json');
  expect(r.code).toBe(0);
  return AgentStatusSchema.parse(JSON.parse(r.stdout));
}
const decisionOf = (s: AgentStatus, name: string) => s.guarded.find((g) => g.name === name);

describe('xenherd-agent autostart (the CLI on the host)', () => {
  it('status: each guarded domU with its decision, reason and since when, as a table and as JSON; the socket is owner-only', async () => {
    await boot(FAST, {}, (s) => s.drbd('r1', 'disconnect'));
    const st = await status();
    expect(decisionOf(st, 'web1')).toMatchObject({ decision: 'defer', reason: 'peer-not-connected', starting: false });
    expect(st.sources).toEqual({ drbd: 'drbdsetup events2', domains: 'xenstore-watch @introduceDomain @releaseDomain' });
    const table = await cli('status');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/DOMU\s+DECISION\s+REASON\s+SINCE\s+DETAIL/);
    expect(table.stdout).toMatch(/web1\s+defer\s+peer-not-connected\s+\d{4}-\d\d-\d\dT/);
    const sock = join(sim.hostRoot('xen1'), 'run/xenherd/agent.sock');
    expect(statSync(sock).mode & 0o777).toBe(0o600);
  });

  it('start --force overrides a defer (logged with the reason), never a peer Primary', async () => {
    const a = await boot(FAST, {}, (s) => s.drbd('r1', 'disconnect'));
    await a.waitLog((l) => l.domu === 'db1' && l.reason === 'peer-primary');
    const refused = await cli('start', '--force', 'db1', '--reason', 'customer waiting');
    expect(refused.code).toBe(77);
    expect(refused.stderr).toContain('XH_ERR_REFUSED');
    expect(refused.stderr).toContain('never a peer Primary');
    expect(creates(sim, 'xen1', 'db1')).toBe(0);
    const noReason = await cli('start', '--force', 'web1');
    expect(noReason.code).toBe(64);
    const forced = await cli('start', '--force', 'web1', '--reason', 'peer dom0 is dead, checked by hand');
    expect(forced.stderr).toBe('');
    expect(forced.code).toBe(0);
    expect(creates(sim, 'xen1', 'web1')).toBe(1);
    expect(a.logs.find((l) => l.forced === true && l.reason === 'peer dom0 is dead, checked by hand')).toBeTruthy();
  });

  it('stop: nothing is started until start; reload re-reads now', async () => {
    await boot(FAST, {}, (s) => s.drbd('r1', 'disconnect'));
    expect((await cli('stop')).code).toBe(0);
    expect((await status()).autostart).toBe('stopped');
    sim.drbd('r1', 'connect');
    await sleep(1_000);
    expect(decisionOf(await status(), 'web1')?.decision).toBe('start');
    expect(creates(sim, 'xen1', 'web1')).toBe(0);
    expect((await cli('start')).code).toBe(0);
    await sleep(800);
    expect(creates(sim, 'xen1', 'web1')).toBe(1);
    const r = await cli('reload');
    expect(r.code).toBe(0);
    expect(decisionOf(await status(), 'web1')?.decision).toBe('running');
  });

  it('reports a daemon that is not running with its own exit code', async () => {
    sim = await bed.startSim(FLEET);
    const r = await cli('status');
    expect(r.code).toBe(76);
    expect(r.stderr).toContain('XH_ERR_AGENT_UNREACHABLE');
  });
});

describe('xenherd-agent run: process integration', () => {
  it('SIGHUP reloads the config (a bad one is refused and the old one stays) and decides again', async () => {
    const dir = join('/tmp', `xh-hup-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    const cfg = join(dir, 'agent.json');
    writeFileSync(cfg, JSON.stringify(FAST));
    sim = await bed.startSim(FLEET);
    sim.power('xen1', 'off');
    sim.power('xen1', 'on');
    const a = new AgentProcess(bed.agentPath(), sim, 'xen1', cfg);
    bed.track(a);
    await a.waitLog((l) => l.msg.startsWith('ready'));
    writeFileSync(cfg, '{"autostart": {"paralel": 2}}');
    a.child.kill('SIGHUP');
    const bad = await a.waitLog((l) => l.msg.startsWith('SIGHUP: configuration not reloaded'));
    expect(bad.msg).toContain('unknown key "autostart.paralel"');
    writeFileSync(cfg, JSON.stringify({ ...FAST, logLevel: 'debug' }));
    a.child.kill('SIGHUP');
    await a.waitLog((l) => l.msg.startsWith('configuration reloaded'));
    rmSync(dir, { recursive: true, force: true });
  });

  it('tells systemd READY=1 and STATUS=… once the first inventory is read', async () => {
    // Node has no unix datagram sockets: python3 (installed by .ci/run) plays systemd's listener.
    const py = await runAsync('python3', ['-c', 'print(1)'], {}).catch(() => null);
    expect(py?.code, 'python3 is needed to listen on a NOTIFY_SOCKET; .ci/run installs it').toBe(0);
    const dir = join('/tmp', `xh-notify-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    const sockPath = join(dir, 'notify.sock');
    const listener = spawn('python3', ['-c', `
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind(sys.argv[1]); print('bound', flush=True)
while True:
    print(s.recv(4096).decode().replace('\\n', '|'), flush=True)
`, sockPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    let got = '';
    listener.stdout.on('data', (d: Buffer) => (got += d.toString()));
    try {
      while (!got.includes('bound')) await sleep(20);
      const a = await boot(FAST, { NOTIFY_SOCKET: sockPath });
      void a;
      for (let i = 0; i < 100 && !got.includes('READY=1'); i++) await sleep(50);
      expect(got).toMatch(/READY=1\|STATUS=2 guarded domUs: /);
    } finally {
      listener.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('warns at start when a guarded domU is also in /etc/xen/auto and when XENDOMAINS_SAVE is set', async () => {
    const a = await boot(FAST, {}, (s) => {
      const root = s.hostRoot('xen1');
      mkdirSync(join(root, 'etc/xen/auto'), { recursive: true });
      writeFileSync(join(root, 'etc/xen/auto/web1.cfg'), readFileSync(join(root, 'etc/xen/drbd-auto/web1.cfg')));
      mkdirSync(join(root, 'etc/default'), { recursive: true });
      writeFileSync(join(root, 'etc/default/xendomains'), 'XENDOMAINS_SAVE=/var/lib/xen/save\n');
    });
    await a.waitLog((l) => l.coexistence === true && l.msg.includes('web1 is guarded'));
    await a.waitLog((l) => l.coexistence === true && l.msg.includes('XENDOMAINS_SAVE=/var/lib/xen/save'));
    expect((await status()).warnings).toHaveLength(2);
  });

  it('refuses a config with an unknown key, naming the key and the fix (exit 78)', async () => {
    sim = await bed.startSim(FLEET);
    const cfg = writeConfig(sim.dir, { autostart: { parallel: 0 }, colour: 'blue' });
    const r = await runAsync(process.execPath, [bed.agentPath(), 'run', '--config', cfg], sim.env('xen1'));
    expect(r.code).toBe(78);
    expect(r.stderr).toContain('key "autostart.parallel": must be at least 1');
    expect(r.stderr).toContain('unknown key "colour": remove it or fix its spelling');
    expect(existsSync(join(sim.hostRoot('xen1'), 'run/xenherd/agent.sock'))).toBe(false);
  });
});
