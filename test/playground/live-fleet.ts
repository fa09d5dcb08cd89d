import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { join } from 'node:path';
import { AgentProcess } from '../agent/run/agent-process.js';
import { startSim, type Sim } from '../sim/sim.js';
import { freePort } from '../ssh/sshd.js';
import { peerSsh, type PeerSsh } from './peer-ssh-setup.js';
import { runNode } from './processes.js';
import { reportingProgress, reportWaitMs } from './report-wait.js';
import { pauseOf, until } from '../helpers/until.js';

/**
 * A simulated fleet with the real programs on it: the fleet simulator (real time), one
 * `xenherd-controller serve`, and one `xenherd-agent run` per powered-on Dom0 reporting to it —
 * each a real process on loopback, as an operator would run them. With OpenSSH installed, every
 * Dom0 also gets its own sshd with its peers' migration keys bound to the forced command, so
 * reverse migrations work. `xenherdctl` talks to it with `ctlEnv`. What the controller and each agent
 * log (the warnings an operator would read in the journal) is kept in `logs/` of DIR.
 */
export interface LiveFleet {
  readonly sim: Sim;
  readonly dir: string;
  /** controller.log and HOST.log: each process's stdout and stderr, appended across restarts */
  readonly logDir: string;
  readonly ctlEnv: Readonly<Record<string, string>>;
  readonly controllerUrl: string;
  readonly agents: Map<string, AgentProcess>;
  /** the controller process running now (a new one after `startController`) */
  readonly controller: ChildProcess;
  /** the controller now, with its end awaitable, for the console's `controller stop|kill` */
  readonly controllerHandle: ProcessHandle;
  /** starts the controller again on its config, port and state dir (after it was stopped or killed) */
  startController(): ProcessHandle;
  /** null without OpenSSH */
  readonly ssh: PeerSsh | null;
  /** (re)starts the agent of a host (after a power cycle, say) */
  startAgent(host: string): AgentProcess;
  stop(): Promise<void>;
}

/** a process of the playground and its end (the console waits for it after a signal) */
export interface ProcessHandle {
  readonly child: ChildProcess;
  readonly exited: Promise<unknown>;
}

export interface LiveFleetOptions {
  readonly fleet: string;
  readonly dir: string;
  readonly bundles: { readonly agent: string; readonly controller: string; readonly ctl: string };
  readonly withSsh: boolean;
  /** extra agent.json keys (fast timers for tests) */
  readonly agentConfig?: Record<string, unknown>;
  /** lines saying how the start goes (the keys' setup time, how many agents report so far) */
  readonly onProgress?: (line: string) => void;
}

export async function launchLiveFleet(o: LiveFleetOptions): Promise<LiveFleet> {
  const sim = await startSim({ fleet: o.fleet, clock: 'real', dir: join(o.dir, 'sim') });
  const hosts = Object.keys(sim.state().hosts).sort();
  const ctlDir = join(o.dir, 'controller');
  const logDir = join(o.dir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const logTo = (name: string, ...streams: (Readable | null)[]): void => {
    const file = createWriteStream(join(logDir, `${name}.log`), { flags: 'a' });
    for (const s of streams) s?.pipe(file, { end: false });
  };
  const port = await freePort();
  const init = await runNode(o.bundles.controller, ['init', '--dir', ctlDir, '--listen', '127.0.0.1', '--port', String(port), '--json'], {});
  if (init.code !== 0) throw new Error(`xenherd-controller init failed: ${init.stderr}`);
  const made = JSON.parse(init.stdout) as { url: string; token: string; ca: string; config: string };
  const spawnController = (): ProcessHandle => {
    const child = spawn(process.execPath, [o.bundles.controller, 'serve', '--config', made.config], { stdio: ['ignore', 'pipe', 'pipe'] });
    logTo('controller', child.stdout, child.stderr);
    return { child, exited: new Promise((r) => child.once('close', r)) };
  };
  let controller = spawnController();
  const agents = new Map<string, AgentProcess>();
  let ssh: PeerSsh | null = null;
  const stop = async (): Promise<void> => {
    for (const a of agents.values()) await a.stop();
    if (controller.child.exitCode === null && controller.child.signalCode === null) {
      controller.child.kill('SIGTERM');
      await controller.exited;
    }
    await ssh?.stop();
    await sim.stop();
  };
  try {
    ssh = o.withSsh ? await peerSsh(sim, o.bundles.agent, join(o.dir, 'ssh'), hosts) : null;
    if (ssh) {
      const { pairs, anyHostFor, ms } = ssh.setup;
      const why = anyHostFor !== null ? `every pair: ${anyHostFor} has no DRBD disk, so a drain may send it to any Dom0` : 'the pairs a domU may migrate between';
      o.onProgress?.(`migration keys set up for ${pairs} Dom0 pairs (${why}) in ${(ms / 1000).toFixed(1)} s`);
    }
    for (const h of hosts) {
      const enrolled = await runNode(o.bundles.controller, ['enroll', h, '--config', made.config], {});
      if (enrolled.code !== 0) throw new Error(`enroll ${h} failed: ${enrolled.stderr}`);
      const section = (JSON.parse(enrolled.stdout) as { controller: Record<string, string> }).controller;
      const etc = join(sim.hostRoot(h), 'etc/xenherd');
      mkdirSync(etc, { recursive: true, mode: 0o700 });
      const migration = ssh ? { migration: { peers: ssh.peersOf(h) } } : {};
      writeFileSync(join(etc, 'agent.json'), JSON.stringify({ ...o.agentConfig, ...migration, controller: section }, null, 2));
    }
    // xenherdctl's code cache goes into this fleet's directory, not the home of whoever runs it
    const ctlEnv = { XENHERD_URL: made.url, XENHERD_TOKEN: made.token, XENHERD_CA: made.ca, XDG_CACHE_HOME: join(o.dir, 'cache') };
    const startAgent = (h: string): AgentProcess => {
      agents.get(h)?.child.kill('SIGKILL');
      const a = new AgentProcess(o.bundles.agent, sim, h, join(sim.hostRoot(h), 'etc/xenherd/agent.json'));
      logTo(h, a.child.stdout, a.child.stderr);
      agents.set(h, a);
      return a;
    };
    for (const h of hosts) if (sim.state().hosts[h]?.power === 'on') startAgent(h);
    // every agent reporting: the controller lists them reachable; a large fleet's agents take longer
    const waitMs = reportWaitMs(agents.size);
    let progress = '';
    let said = { line: '', at: 0 };
    try {
      await until(async () => {
        const r = await runNode(o.bundles.ctl, ['hosts', '--json'], ctlEnv);
        if (r.code !== 0) return false;
        const hs = (JSON.parse(r.stdout) as { hosts: { host: string; reachable: boolean; reported: boolean }[] }).hosts;
        const missing = [...agents.keys()].filter((h) => !hs.some((x) => x.host === h && x.reachable && x.reported));
        const now = reportingProgress(agents.size - missing.length, agents.size, missing);
        // a count that changed is said, at most every 2 s so 40 agents arriving are not 40 lines
        if (now !== said.line && (missing.length === 0 || Date.now() - said.at >= 2_000)) {
          said = { line: now, at: Date.now() };
          o.onProgress?.(now);
        }
        progress = now;
        return missing.length === 0;
      }, 'every agent reporting to the controller', { limitMs: waitMs, step: pauseOf(100) });
    } catch (e) {
      throw new Error(`${(e as Error).message}${progress !== '' ? `: ${progress}` : ''}`);
    }
    const startController = (): ProcessHandle => {
      controller = spawnController();
      return controller;
    };
    return {
      sim,
      dir: o.dir,
      logDir,
      ctlEnv,
      controllerUrl: made.url,
      agents,
      get controller() {
        return controller.child;
      },
      get controllerHandle() {
        return controller;
      },
      startController,
      ssh,
      startAgent,
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
