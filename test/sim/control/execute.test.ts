import { readFileSync, statfsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readStateDirs } from '../../../agent/adapters/state-disk.js';
import { standInFileOf } from '../../../agent/adapters/state-disk-stand-in.js';
import { SIM_STATE_DISK } from '../model/state-disk.js';
import { FAILED_DISK_MS } from '../daemon/sim-core.js';
import { startSim, type Sim } from '../sim.js';
import type { ControlCommand } from './command.js';
import { executeControl, type AgentControl, type AgentHandle } from './execute.js';

// The console's commands on a real (deterministic) simulator, the playground's agent processes
// replaced by fakes that record the signals they are sent.
const fleet = readFileSync(new URL('../example.fleet', import.meta.url), 'utf8');
const AT = '2025-01-01T00:00:00.000Z';
const sims: Sim[] = [];
afterEach(async () => {
  for (const s of sims.splice(0)) await s.stop();
});

interface FakeAgent extends AgentHandle {
  readonly signals: NodeJS.Signals[];
  exit(code: number): void;
}

function fakeAgent(pid: number): FakeAgent {
  const signals: NodeJS.Signals[] = [];
  let end: () => void = () => undefined;
  const exited = new Promise<void>((r) => (end = r));
  const child = {
    pid,
    exitCode: null as number | null,
    signalCode: null as NodeJS.Signals | null,
    kill(signal: NodeJS.Signals): boolean {
      signals.push(signal);
      child.signalCode = signal;
      end();
      return true;
    },
  };
  /** the process ends by itself with CODE, as an agent refusing its config does */
  const exit = (code: number): void => {
    child.exitCode = code;
    end();
  };
  return { child, exited, signals, exit };
}

interface FakeLive extends AgentControl {
  readonly agents: Map<string, FakeAgent>;
  readonly started: string[];
  startAgent(host: string): FakeAgent;
  readonly controllerHandle: FakeAgent;
  startController(): FakeAgent;
}

function fakeLive(hosts: readonly string[]): FakeLive {
  let pid = 100;
  const agents = new Map<string, FakeAgent>(hosts.map((h) => [h, fakeAgent(pid++)]));
  const started: string[] = [];
  let controller = fakeAgent(90);
  return {
    agents,
    started,
    get controllerHandle() {
      return controller;
    },
    startController(): FakeAgent {
      controller = fakeAgent(pid++);
      started.push('controller');
      return controller;
    },
    startAgent(h: string): FakeAgent {
      const a = fakeAgent(pid++);
      agents.set(h, a);
      started.push(h);
      return a;
    },
  };
}

async function setup(withAgents: boolean) {
  const sim = await startSim({ fleet, clock: 'deterministic' });
  sims.push(sim);
  const live = withAgents ? fakeLive(['xen1', 'xen2']) : null;
  const run = (c: ControlCommand): Promise<string[]> => executeControl(c, { sim, live });
  return { sim, live, run };
}

describe('the playground console, running a command', () => {
  it('power off kills the Dom0\'s agent (SIGKILL) before the host goes; power on boots it and starts a new agent', async () => {
    const { sim, live, run } = await setup(true);
    const old = live!.agents.get('xen1')!;
    expect(await run({ kind: 'power', host: 'xen1', state: 'off' })).toEqual(['power xen1 off: done (its domUs are gone, its agent killed (SIGKILL); `power xen1 on` boots it empty)']);
    expect(old.signals).toEqual(['SIGKILL']);
    expect(sim.state().hosts['xen1']?.power).toBe('off');
    expect(live!.agents.get('xen2')!.signals).toEqual([]);
    expect(await run({ kind: 'state' })).toContain('xen1: off');
    expect(await run({ kind: 'power', host: 'xen1', state: 'on' })).toEqual([`power xen1 on: done (booted, no domU running; its agent started, pid ${live!.agents.get('xen1')!.child.pid})`]);
    expect(sim.state().hosts['xen1']?.power).toBe('on');
    expect(live!.started).toEqual(['xen1']);
  });

  it('xenstored stop makes xl and the xenstore tools fail as on a Dom0 whose xenstored died; start brings them back', async () => {
    const { sim, run } = await setup(false);
    expect(await run({ kind: 'xenstored', host: 'xen1', action: 'stop' })).toEqual([
      'xenstored xen1 stop: done (xl and every xenstore tool on xen1 fail (cannot connect to xenstore, xs_open: No such file or directory); a xenstore-watch already running goes on; `xenstored xen1 start` ends it)',
    ]);
    expect(await sim.run('xen1', 'xenstore-watch', ['@introduceDomain'])).toMatchObject({ exitCode: 1, stderr: 'xenstore-watch: xs_open: No such file or directory\n' });
    expect(await sim.run('xen1', 'xl', ['list'])).toMatchObject({ exitCode: 1, stderr: expect.stringMatching(/cannot connect to xenstore: No such file or directory\ncannot init xl context\n$/) });
    expect((await sim.run('xen2', 'xl', ['list'])).exitCode).toBe(0);
    expect(await run({ kind: 'xenstored', host: 'xen1', action: 'start' })).toEqual(['xenstored xen1 start: done (xenstored runs on xen1 again: xl and the xenstore tools answer)']);
    expect((await sim.run('xen1', 'xl', ['list'])).exitCode).toBe(0);
  });

  it('disk full, low, read-only and ok set what an agent reading its state dirs finds, in this process or as a process', async () => {
    const { sim, run } = await setup(false);
    // as an agent process on xen1 reads them: its environment, and its real state dir under the host root
    const env = sim.env('xen1');
    const realDir = join(sim.hostRoot('xen1'), 'var/lib/xenherd');
    const dirs = [{ role: 'state' as const, dir: '/var/lib/xenherd', real: realDir }];
    const read = () => readStateDirs(dirs, AT, standInFileOf(env, sim.hostRoot('xen1')));
    expect(await run({ kind: 'disk', host: 'xen1', state: 'full' })).toEqual(['disk xen1 full: done (the filesystem under xen1\'s agent state is full (no space left), read by its agent within a minute; `disk xen1 ok` ends it)']);
    expect(sim.state().hosts['xen1']?.stateDisk).toBe('full');
    expect(await read()).toEqual([{ role: 'state', dir: '/var/lib/xenherd', freeBytes: 0, totalBytes: SIM_STATE_DISK.totalBytes, readAt: AT, failure: { code: 'ENOSPC', at: AT, what: 'a test write' } }]);
    await run({ kind: 'disk', host: 'xen1', state: 'read-only' });
    expect((await read())[0]?.failure?.code).toBe('EROFS');
    await run({ kind: 'disk', host: 'xen1', state: 'low' });
    expect(await read()).toMatchObject([{ freeBytes: SIM_STATE_DISK.lowBytes, failure: null }]);
    expect(await run({ kind: 'disk', host: 'xen1', state: 'ok' })).toEqual(['disk xen1 ok: done (the filesystem under xen1\'s agent state has room again, read by its agent within a minute)']);
    expect(sim.state().hosts['xen1']?.stateDisk).toBeUndefined();
    // room again: the agent process reads its real dir, whatever this machine's disk holds
    const [real] = await read();
    const st = statfsSync(realDir);
    expect(real?.totalBytes).toBe(st.blocks * st.bsize);
    // another Dom0's disk is its own
    await run({ kind: 'disk', host: 'xen1', state: 'full' });
    expect((await readStateDirs(dirs, AT, standInFileOf(sim.env('xen2'), sim.hostRoot('xen2'))))[0]?.failure).toBe(null);
  });

  it('power to the state a host is in changes nothing and says so', async () => {
    const { live, run } = await setup(true);
    expect(await run({ kind: 'power', host: 'xen2', state: 'on' })).toEqual(['power xen2 on: nothing to do, xen2 is already on']);
    expect(live!.started).toEqual([]);
    await run({ kind: 'agent', host: 'xen2', action: 'stop' });
    expect(await run({ kind: 'power', host: 'xen2', state: 'on' })).toEqual(['power xen2 on: nothing to do, xen2 is already on (its agent is not running: `agent xen2 start`)']);
  });

  it('agent stop ends the agent with SIGTERM; start starts it again; each refuses what cannot be done, with the fix', async () => {
    const { live, run } = await setup(true);
    const a = live!.agents.get('xen2')!;
    expect(await run({ kind: 'agent', host: 'xen2', action: 'start' })).toEqual(['agent xen2 start: refused: xen2\'s agent already runs (pid 101); `agent xen2 stop` first']);
    expect(await run({ kind: 'agent', host: 'xen2', action: 'stop' })).toEqual(['agent xen2 stop: done (its agent ended; `agent xen2 start` starts it again)']);
    expect(a.signals).toEqual(['SIGTERM']);
    expect(await run({ kind: 'agent', host: 'xen2', action: 'stop' })).toEqual(['agent xen2 stop: refused: xen2\'s agent is not running; `agent xen2 start` starts it']);
    expect(await run({ kind: 'agent', host: 'xen2', action: 'start' })).toEqual(['agent xen2 start: done (its agent started, pid 102)']);
    await run({ kind: 'power', host: 'xen1', state: 'off' });
    expect(await run({ kind: 'agent', host: 'xen1', action: 'start' })).toEqual(['agent xen1 start: refused: xen1 is off; `power xen1 on` boots it and starts its agent']);
  });

  it('says when an agent it started exits by itself (78: its config refused), and not when it ended one itself', async () => {
    const { sim, live } = await setup(true);
    const told: string[] = [];
    const run = (c: ControlCommand): Promise<string[]> => executeControl(c, { sim, live, tell: (l) => void told.push(l) });
    await run({ kind: 'agent', host: 'xen2', action: 'stop' });
    expect(await run({ kind: 'agent', host: 'xen2', action: 'start' })).toEqual(['agent xen2 start: done (its agent started, pid 102)']);
    live!.agents.get('xen2')!.exit(78);
    await live!.agents.get('xen2')!.exited;
    await Promise.resolve();
    expect(told).toEqual(['agent xen2: its agent (pid 102) exited with code 78 (78: its config was refused; its log says why); `agent xen2 start` starts it again']);
    expect(await run({ kind: 'agent', host: 'xen2', action: 'start' })).toEqual(['agent xen2 start: done (its agent started, pid 103)']);
    await run({ kind: 'agent', host: 'xen2', action: 'stop' });
    await Promise.resolve();
    expect(told).toHaveLength(1);
  });

  it('controller stop (SIGTERM) and kill (SIGKILL) end the controller, start starts a new one; each refuses what cannot be done', async () => {
    const { sim, live } = await setup(true);
    const told: string[] = [];
    const run = (c: ControlCommand): Promise<string[]> => executeControl(c, { sim, live, tell: (l) => void told.push(l) });
    const first = live!.controllerHandle;
    expect(await run({ kind: 'controller', action: 'start' })).toEqual(['controller start: refused: the controller already runs (pid 90); `controller stop` or `controller kill` first']);
    expect(await run({ kind: 'controller', action: 'stop' })).toEqual(['controller stop: done (the controller ended, SIGTERM, as systemctl stop or restart: its jobs end 87 saying so; a migrate or reverse in flight ends 91 (XH_ERR_AGENT_LINK_LOST: the agent finishes or abandons it on its own; `xenherdctl where DOMU` says where it is once the controller runs again); the agents keep their domUs and their maintenance state; `controller start` starts it again)']);
    expect(first.signals).toEqual(['SIGTERM']);
    expect(await run({ kind: 'controller', action: 'kill' })).toEqual(['controller kill: refused: the controller is not running; `controller start` starts it']);
    expect(await run({ kind: 'controller', action: 'start' })).toEqual(['controller start: done (the controller started, pid 102, on the same port, config and state dir; the agents dial it again within their backoff, 30 s at most)']);
    const second = live!.controllerHandle;
    expect(await run({ kind: 'controller', action: 'kill' })).toEqual([
      'controller kill: done (the controller ended, SIGKILL, as a crash or the OOM killer: its jobs, migrates and reverses end without a word, xenherdctl watching any of them exits 87; ' +
        'the agents keep their domUs and their maintenance state; `controller start` starts it again)',
    ]);
    expect(second.signals).toEqual(['SIGKILL']);
    expect(live!.agents.get('xen1')!.signals).toEqual([]);
    await run({ kind: 'controller', action: 'start' });
    live!.controllerHandle.exit(78);
    await live!.controllerHandle.exited;
    await Promise.resolve();
    // only the exit nobody asked for is news
    expect(told).toEqual(['controller: the controller (pid 103) exited with code 78 (78: its config was refused; its log says why); `controller start` starts it again']);
  });

  it('in the plain simulator power works and agent is refused, naming --controller', async () => {
    const { sim, run } = await setup(false);
    expect(await run({ kind: 'power', host: 'xen1', state: 'off' })).toEqual(['power xen1 off: done (its domUs are gone; `power xen1 on` boots it empty)']);
    expect(sim.state().hosts['xen1']?.power).toBe('off');
    expect(await run({ kind: 'agent', host: 'xen1', action: 'stop' })).toEqual(['agent xen1 stop: refused: the plain simulator runs no agents; start it with --controller (npm run sim -- --controller FLEETFILE)']);
    expect(await run({ kind: 'controller', action: 'stop' })).toEqual(['controller stop: refused: the plain simulator runs no controller; start it with --controller (npm run sim -- --controller FLEETFILE)']);
  });

  it('drbd cuts, split-brains and restores a link, as the scenario files do', async () => {
    const { sim, run } = await setup(false);
    await sim.advance(5000);
    expect((await run({ kind: 'state' })).join('\n')).toContain('r1 Secondary/Primary Connected');
    expect(await run({ kind: 'drbd', res: 'r1', action: 'disconnect' })).toEqual(['drbd r1 disconnect: done (the link is cut: both ends wait for their peer; `drbd r1 connect` restores it)']);
    expect((await run({ kind: 'state' })).join('\n')).toContain('r1 Secondary/Unknown WFConnection');
    expect(await run({ kind: 'drbd', res: 'r1', action: 'split-brain' })).toEqual(['drbd r1 split-brain: done (both ends StandAlone; `drbd r1 connect` repairs it)']);
    expect((await run({ kind: 'state' })).join('\n')).toContain('r1 Secondary/Unknown StandAlone');
    expect(await run({ kind: 'drbd', res: 'r1', action: 'connect' })).toEqual(["drbd r1 connect: done (the link is back; it connects after the fleet's connect-delay)"]);
    await sim.advance(5000);
    expect((await run({ kind: 'state' })).join('\n')).toContain('r1 Secondary/Primary Connected');
  });

  it('drbd connect after both ends were Primary while cut says the handshake finds a split brain, not that it connects', async () => {
    const { sim, run } = await setup(false);
    await sim.advance(5000);
    await run({ kind: 'drbd', res: 'r1', action: 'disconnect' });
    expect((await sim.run('xen2', 'drbdadm', ['primary', 'r1'])).exitCode).toBe(0); // web1 started on xen2 by hand too
    expect(await run({ kind: 'drbd', res: 'r1', action: 'connect' })).toEqual([
      "drbd r1 connect: done (the link is back, but xen1 and xen2 were both Primary while it was cut: after the fleet's connect-delay the handshake finds a split brain and both ends go StandAlone; " +
        'on the side whose writes are given up, `drbdadm secondary r1` and `drbdadm connect --discard-my-data r1`, then `drbdadm connect r1` on the other)',
    ]);
    await sim.advance(5000);
    expect((await run({ kind: 'state' })).join('\n')).toContain('r1 Primary/Unknown StandAlone');
  });

  it('fault disk fails a replica\'s disk: DRBD detaches it, the peer serves it; drbdadm attach there takes it back', async () => {
    const { sim, run } = await setup(false);
    await sim.advance(5000);
    expect(await run({ kind: 'fault-disk', host: 'xen1', res: 'r1' })).toEqual(["fault disk xen1 r1: done (DRBD detaches xen1's disk of r1 (Failed, Diskless within a second); what runs there reads and writes on its peer's disk; `drbdadm attach r1` on xen1 attaches it again)"]);
    expect((await sim.run('xen1', 'drbdadm', ['dstate', 'r1'])).stdout).toBe('Failed/UpToDate\n');
    await sim.advance(FAILED_DISK_MS);
    expect((await sim.run('xen1', 'drbdadm', ['dstate', 'r1'])).stdout).toBe('Diskless/UpToDate\n');
    expect(await run({ kind: 'fault-disk', host: 'xen1', res: 'r2' })).toEqual(['fault disk xen1 r2: done (DRBD detaches xen1\'s disk of r2 (Failed, Diskless within a second); what runs there reads and writes on its peer\'s disk; `drbdadm attach r2` on xen1 attaches it again)']);
    expect((await sim.run('xen1', 'drbdadm', ['attach', 'r1'])).exitCode).toBe(0);
    expect((await sim.run('xen1', 'drbdadm', ['dstate', 'r1'])).stdout).toBe('UpToDate/UpToDate\n');
  });

  it('fault migrate makes the next live migration of a domU fail at its phase; none takes it back', async () => {
    const { sim, run } = await setup(false);
    await sim.advance(5000);
    const migrate = async (): Promise<{ exitCode: number; stderr: string }> => {
      const t = sim.start('xen1', 'xl', ['migrate', 'web1', 'xen2']);
      let r: { exitCode: number; stderr: string } | null = null;
      void t.done.then((x) => (r = x));
      for (let waited = 0; r === null && waited < 120_000; waited += 1000) await sim.advance(1000);
      return r ?? { exitCode: -1, stderr: 'did not end' };
    };
    expect(await run({ kind: 'fault-migrate', domu: 'web1', phase: 'target' })).toEqual(['fault migrate web1 target: done (the next live migration of web1 fails at the target after the copy, resumed at the sender)']);
    const failed = await migrate();
    expect(failed.exitCode).toBe(1);
    expect(failed.stderr).toContain('Migration failed due to problems at target.');
    expect(sim.state().domains.find((d) => d.name === 'web1')?.host).toBe('xen1');
    await run({ kind: 'fault-migrate', domu: 'web1', phase: 'handshake' });
    expect(await run({ kind: 'fault-migrate', domu: 'web1', phase: null })).toEqual(['fault migrate web1 none: done (its next migration goes as it would)']);
    expect((await migrate()).exitCode).toBe(0);
    expect(sim.state().domains.find((d) => d.name === 'web1')?.host).toBe('xen2');
  });

  it('fault tool makes a tool on one host print garbage until fault clear', async () => {
    const { sim, run } = await setup(false);
    const list = async (host: string): Promise<string> => {
      const t = sim.start(host, 'xl', ['list']);
      await sim.advance(0);
      return (await t.done).stdout;
    };
    expect(await run({ kind: 'fault-tool', host: 'xen1', tool: 'xl', fault: { kind: 'garbage', text: 'oops\n' } })).toEqual(['fault tool xen1 xl garbage: done (every xl call on xen1 prints the given text instead; `fault clear` ends it)']);
    expect(await list('xen1')).toBe('oops\n');
    expect(await list('xen2')).toContain('Name');
    expect(await run({ kind: 'fault-clear' })).toEqual(['fault clear: done (every tool answers as it would)']);
    expect(await list('xen1')).toContain('Name');
  });

  it('help lists every command', async () => {
    const { run } = await setup(false);
    const help = (await run({ kind: 'help' })).join('\n');
    for (const w of ['power HOST on|off', 'drbd RES disconnect|connect|split-brain', 'agent HOST stop|start', 'fault migrate DOMU before|target|handshake|none', 'fault disk HOST RES', 'fault tool HOST TOOL hang|slow MS|garbage TEXT', 'fault clear', 'state', 'help']) expect(help).toContain(w);
  });
});
