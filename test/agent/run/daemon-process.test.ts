import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { holdOnAgent } from '../../../agent/control/client.js';
import { AgentStatusSchema, CONTROL_PROTOCOL_VERSION, type AgentStatus } from '../../../shared/protocol/agent-control.js';
import type { Sim } from '../../sim/sim.js';
import { agentTestBed, FAST_TIMERS } from './agent-test-bed.js';
import { AgentProcess, creates, liveProcessesMentioning, runAsync, runsOn, writeConfig } from './agent-process.js';
import { pairFleet } from '../../harness/pair-fleet.js';
import { until } from '../../helpers/until.js';

// What only a real `xenherd-agent run` process shows: the built bundle started with the unit's
// Node flags, its control socket, signals, systemd's notify socket, a SIGKILL and a restart. The
// agent's behaviour itself is tested in process (autostart-, control-, holds-…-in-process tests).

const FLEET = (running: 'xen1' | 'no' = 'no', bandwidth = 1024): string =>
  pairFleet({ bandwidth, connectDelay: 300, running, more: 'domu db1 mem=2048 vcpus=2 home=xen1 peer=xen2 drbd=r2 running=xen2\n' });

const bed = agentTestBed();
let sim: Sim;

async function boot(fleet = FLEET(), config: unknown = FAST_TIMERS, env: Record<string, string> = {}, setup: (s: Sim) => void = () => undefined): Promise<AgentProcess> {
  sim = await bed.startSim(fleet);
  setup(sim);
  const a = bed.track(new AgentProcess(bed.agentPath(), sim, 'xen1', writeConfig(sim.dir, config), env));
  await a.waitLog((l) => l.msg.startsWith('ready'));
  return a;
}

/** xen1's agent run on a config file of its own (in a temp DIR the test removes), ready: a reload test edits CFG. */
async function agentWithConfigFile(): Promise<{ dir: string; cfg: string; a: AgentProcess }> {
  const dir = mkdtempSync(join(tmpdir(), 'xh-reload-'));
  const cfg = join(dir, 'agent.json');
  writeFileSync(cfg, JSON.stringify(FAST_TIMERS));
  sim = await bed.startSim(FLEET());
  const a = bed.track(new AgentProcess(bed.agentPath(), sim, 'xen1', cfg));
  await a.waitLog((l) => l.msg.startsWith('ready'));
  return { dir, cfg, a };
}
const agentCli = (...args: string[]) => runAsync(process.execPath, [bed.agentPath(), ...args], sim.env('xen1'));
async function status(): Promise<AgentStatus> {
  const r = await agentCli('autostart', 'status', '--json');
  expect(r.code).toBe(0);
  return AgentStatusSchema.parse(JSON.parse(r.stdout));
}

describe('xenherd-agent run as a process', () => {
  it('answers `autostart status` on an owner-only control socket, as a table and as JSON', async () => {
    await boot(FLEET(), FAST_TIMERS, {}, (s) => s.drbd('r1', 'disconnect'));
    const st = await status();
    expect(st.guarded.find((g) => g.name === 'web1')).toMatchObject({ decision: 'defer', reason: 'peer-not-connected' });
    const table = await agentCli('autostart', 'status');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/DOMU\s+DECISION\s+REASON\s+SINCE\s+DETAIL/);
    expect(table.stdout).toMatch(/web1\s+defer\s+peer-not-connected\s+\d{4}-\d\d-\d\dT/);
    expect(statSync(join(sim.hostRoot('xen1'), 'run/xenherd/agent.sock')).mode & 0o777).toBe(0o600);
  });

  it('the CLI reports a daemon that is not running with its own exit code (76)', async () => {
    sim = await bed.startSim(FLEET());
    const r = await agentCli('autostart', 'status');
    expect(r.code).toBe(76);
    expect(r.stderr).toContain('XH_ERR_AGENT_UNREACHABLE');
    expect(r.stderr).toContain('the agent is not running here: start it with `systemctl start xenherd-agent`');
    // a config naming another socket than the default: the running agent may still listen on the old one
    const moved = await agentCli('autostart', 'reload', '--config', writeConfig(sim.dir, { controlSocket: '/run/xenherd2/agent.sock' }));
    expect(moved.code).toBe(76);
    expect(moved.stderr).toContain('if controlSocket was changed in the config since the agent started, it still listens on the old one');
    expect(r.stderr).not.toContain('controlSocket');
  });

  it('SIGHUP reloads the config; a bad one is refused and the old one stays', async () => {
    const { dir, cfg, a } = await agentWithConfigFile();
    try {
      writeFileSync(cfg, '{"autostart": {"paralel": 2}}');
      a.child.kill('SIGHUP');
      const bad = await a.waitLog((l) => l.msg.startsWith('SIGHUP: configuration not reloaded'));
      expect(bad.msg).toContain('unknown key "autostart.paralel"');
      // the state dir and the control socket are opened once: moving them takes a restart
      writeFileSync(cfg, JSON.stringify({ ...FAST_TIMERS, stateDir: '/var/lib/xenherd2', controlSocket: '/run/xenherd2/agent.sock' }));
      a.child.kill('SIGHUP');
      const moved = await a.waitLog((l) => l.msg.includes('which only a restart applies'));
      expect(moved.msg).toBe(
        'SIGHUP: configuration not reloaded, the old one stays: stateDir (/var/lib/xenherd → /var/lib/xenherd2), controlSocket (/run/xenherd/agent.sock → /run/xenherd2/agent.sock) changed, which only a restart applies: systemctl restart xenherd-agent (or put the old value back)',
      );
      writeFileSync(cfg, JSON.stringify({ ...FAST_TIMERS, logLevel: 'debug' }));
      a.child.kill('SIGHUP');
      await a.waitLog((l) => l.msg.startsWith('configuration reloaded'));
      expect(a.logs.filter((l) => l.msg.startsWith('configuration reloaded'))).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('autostart reload (systemctl reload) re-reads the config too, and exits 78 when it is refused: the old one stays', async () => {
    const { dir, cfg, a } = await agentWithConfigFile();
    try {
      // --socket: the CLI does not read the file itself, so each refusal below is the daemon's
      const reload = () => agentCli('autostart', 'reload', '--socket', join(sim.hostRoot('xen1'), 'run/xenherd/agent.sock'));
      writeFileSync(cfg, '{"autostart": {"paralel": 2}}');
      const bad = await reload();
      expect([bad.code, bad.stdout]).toEqual([78, '']);
      expect(bad.stderr).toContain('XH_ERR_CONFIG');
      expect(bad.stderr).toContain('unknown key "autostart.paralel"');
      writeFileSync(cfg, JSON.stringify({ ...FAST_TIMERS, controlSocket: '/run/xenherd2/agent.sock' }));
      const moved = await reload();
      expect([moved.code, moved.stderr]).toEqual([
        78,
        'xenherd-agent: XH_ERR_CONFIG: configuration not reloaded, the old one stays: controlSocket (/run/xenherd/agent.sock → /run/xenherd2/agent.sock) changed, which only a restart applies: systemctl restart xenherd-agent (or put the old value back)\n',
      ]);
      expect(a.logs.filter((l) => l.msg.startsWith('configuration reloaded'))).toEqual([]);
      writeFileSync(cfg, JSON.stringify({ ...FAST_TIMERS, logLevel: 'debug' }));
      const good = await reload();
      expect([good.code, good.stderr]).toEqual([0, '']);
      await a.waitLog((l) => l.msg.startsWith('configuration reloaded'));
      expect(a.logs.filter((l) => l.msg === 'autostart reload: reloading configuration')).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('tells systemd READY=1, STATUS=… and WATCHDOG=1 on a real NOTIFY_SOCKET', async () => {
    // Node has no unix datagram sockets: python3 (installed by .ci/run) plays systemd's listener.
    const dir = mkdtempSync(join(tmpdir(), 'xh-notify-'));
    const sockPath = join(dir, 'notify.sock');
    const listener = spawn('python3', ['-c', 'import socket,sys\ns=socket.socket(socket.AF_UNIX,socket.SOCK_DGRAM);s.bind(sys.argv[1]);print("bound",flush=True)\nwhile True: print(s.recv(4096).decode().replace("\\n","|"),flush=True)', sockPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    let got = '';
    listener.stdout.on('data', (d: Buffer) => (got += d.toString()));
    try {
      await until(() => got.includes('bound'), 'python3 listening (python3 is needed; .ci/run installs it)', { limitMs: 10_000 });
      // WatchdogSec=2 as systemd passes it: the agent pings every half of it
      await boot(FLEET(), FAST_TIMERS, { NOTIFY_SOCKET: sockPath, WATCHDOG_USEC: '2000000' });
      await until(() => got.includes('READY=1'), 'READY=1 received', { limitMs: 10_000 });
      expect(got).toMatch(/READY=1\|STATUS=2 guarded domUs: /);
      await until(() => got.split('\n').filter((l) => l.includes('WATCHDOG=1')).length >= 2, 'two WATCHDOG=1 pings received', { limitMs: 10_000 });
    } finally {
      listener.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a config with an unknown key, naming the key and the fix (exit 78)', async () => {
    sim = await bed.startSim(FLEET());
    const cfg = writeConfig(sim.dir, { autostart: { parallel: 0 }, colour: 'blue' });
    const r = await agentCli('run', '--config', cfg);
    expect(r.code).toBe(78);
    expect(r.stderr).toContain('key "autostart.parallel": must be at least 1');
    expect(r.stderr).toContain('unknown key "colour": remove it or fix its spelling');
    expect(existsSync(join(sim.hostRoot('xen1'), 'run/xenherd/agent.sock'))).toBe(false);
  });

  it('SIGTERM: exit 0, and no events2 or xenstore-watch of its own left behind', async () => {
    const a = await boot();
    expect(liveProcessesMentioning(`${sim.dir}/bin/xen1/drbdsetup`)).toHaveLength(1);
    expect((await a.stop()).code).toBe(0);
    expect(liveProcessesMentioning(`${sim.dir}/bin/xen1/`)).toEqual([]);
  });

  it('SIGKILLed mid-start and restarted: the domU is started once (the pid of its xl create is on disk before it runs)', async () => {
    sim = await bed.startSim(FLEET());
    // the xl create answers only once the second agent has said it waits for it
    const open = sim.holdTool('xen1', 'xl', { argvPrefix: ['create', '/etc/xen/drbd-auto/web1.cfg'], times: 1 });
    const first = bed.track(new AgentProcess(bed.agentPath(), sim, 'xen1', writeConfig(sim.dir, FAST_TIMERS)));
    // killed as soon as the create reaches the simulator: its pid is on disk before it runs,
    // however loaded the machine (the record named the agent itself while it took r1 Primary)
    const intent = join(sim.hostRoot('xen1'), 'var/lib/xenherd/starting/web1.json');
    await until(() => creates(sim, 'xen1', 'web1') === 1, 'the first xl create of web1', { limitMs: 10_000 });
    const recorded = (JSON.parse(readFileSync(intent, 'utf8')) as { pid?: unknown }).pid;
    first.child.kill('SIGKILL');
    expect(typeof recorded === 'number' && recorded !== first.child.pid).toBe(true);
    await first.exited;
    const second = bed.track(new AgentProcess(bed.agentPath(), sim, 'xen1', writeConfig(sim.dir, FAST_TIMERS)));
    await second.waitLog((l) => l.msg.includes('still running: waiting for it'));
    open();
    await second.waitLog((l) => l.domu === 'web1' && l.decision === 'running');
    expect(creates(sim, 'xen1', 'web1')).toBe(1);
    expect(runsOn(sim, 'web1')).toEqual(['xen1']);
  });

  it('`migrate` holds its domU in the daemon while it runs; killed mid-way, its hold goes with it', async () => {
    const a = await boot(FLEET('xen1', 256));
    const child = spawn(process.execPath, [bed.agentPath(), 'migrate', 'web1', '--no-peer'], { env: { ...process.env, ...sim.env('xen1') }, stdio: 'ignore' });
    const exited = new Promise((r) => child.on('close', r));
    try {
      await a.waitLog((l) => l.domu === 'web1' && l.hold === 'migrate');
      expect((await status()).holds).toEqual([expect.objectContaining({ name: 'web1', purpose: 'migrate', by: expect.stringMatching(/^xenherd-agent migrate \(pid \d+\)$/) })]);
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
    await a.waitLog((l) => l.domu === 'web1' && typeof l.msg === 'string' && l.msg.startsWith('web1 released by xenherd-agent migrate'));
    expect((await status()).holds).toEqual([]);
    // the killed command's xl migrate ends on its own (the toolstack's process is not ours to kill)
    await until(() => runsOn(sim, 'web1').length === 1 && sim.state().migrations.length === 0, 'web1 in one place', { limitMs: 10_000 });
  });

  // Three agent processes start one after another here (two daemons, the migrate command): some
  // 12 s alone, past vitest's 20 s on a 2-core machine running other suites; every step waits for
  // what it asserts, so the longer bound only ends a hang.
  it('a daemon restarted while `migrate` runs is asked for the hold again: the new one holds web1 until the migration ends', async () => {
    // xl migrate answers only once the test has read the new daemon's hold: however slow the
    // machine, the migration cannot end (and release web1) before the status is read
    let open: () => void = () => undefined;
    const a = await boot(FLEET('xen1', 256), FAST_TIMERS, {}, (s) => void (open = s.holdTool('xen1', 'xl', { argvPrefix: ['migrate'], times: 1 })));
    const child = spawn(process.execPath, [bed.agentPath(), 'migrate', 'web1', '--no-peer'], { env: { ...process.env, ...sim.env('xen1') }, stdio: 'ignore' });
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    try {
      await a.waitLog((l) => l.domu === 'web1' && l.hold === 'migrate');
      // systemctl restart: the old daemon ends (its holds with it), a new one listens on the same socket
      expect((await a.stop()).code).toBe(0);
      // the migrate still holds web1: the stopping daemon says its hold ends with it, not that it was released
      const ended = a.logs.filter((l) => l.domu === 'web1' && typeof l.msg === 'string' && (l.msg.startsWith('web1 released by') || l.msg.startsWith('web1 still held by')));
      expect(ended.map((l) => l.msg)).toEqual([expect.stringMatching(/^web1 still held by xenherd-agent migrate \(pid \d+\), which runs on: this agent is stopping/)]);
      const b = bed.track(new AgentProcess(bed.agentPath(), sim, 'xen1', writeConfig(sim.dir, FAST_TIMERS)));
      await b.waitLog((l) => l.domu === 'web1' && l.hold === 'migrate');
      expect((await status()).holds).toEqual([expect.objectContaining({ name: 'web1', purpose: 'migrate', by: expect.stringMatching(/^xenherd-agent migrate \(pid \d+\)$/) })]);
      open();
      // moved and recorded here; --no-peer: xen2 not told
      expect(await exited).toBe(86);
      await b.waitLog((l) => l.domu === 'web1' && typeof l.msg === 'string' && l.msg.startsWith('web1 released by xenherd-agent migrate'));
      expect(runsOn(sim, 'web1')).toEqual(['xen2']);
    } finally {
      open();
      child.kill('SIGKILL');
      await exited;
    }
  }, 60_000);

  it('a migration has the running agent re-read the host, not its config: the journal names the move, and web1 is decided away', async () => {
    const a = await boot(FLEET('xen1'));
    // moved and recorded here; --no-peer: xen2 not told
    expect((await agentCli('migrate', 'web1', '--no-peer')).code).toBe(86);
    // the hold ends only once the agent has re-read: every line of that re-read is in by then
    await a.waitLog((l) => l.domu === 'web1' && typeof l.msg === 'string' && l.msg.startsWith('web1 released by xenherd-agent migrate'));
    expect(a.logs.filter((l) => /reloading configuration|configuration reloaded/.test(l.msg)).map((l) => l.msg)).toEqual([]);
    expect(a.logs.filter((l) => l.rescan === true).map((l) => l.msg)).toEqual([expect.stringMatching(/^reading the host again: migrate of web1 from xen1 to xen2 \(operation [^)]+\)$/)]);
    expect((await status()).guarded.find((g) => g.name === 'web1')).toMatchObject({ decision: 'skip', reason: 'migrated-away' });
  });

  it('a hold with a malformed request is refused by the schema, nothing held', async () => {
    await boot();
    const req = { v: CONTROL_PROTOCOL_VERSION, op: 'hold', name: '-web1', purpose: 'migrate', operation: 'op', by: 'test' } as const;
    const bad = await holdOnAgent(join(sim.hostRoot('xen1'), 'run/xenherd/agent.sock'), req);
    expect(bad).toMatchObject({ ok: false, error: { code: 'XH_ERR_USAGE' } });
    expect((await status()).holds).toEqual([]);
  });
});
