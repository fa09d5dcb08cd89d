import type { Clock } from '../../shared/clock/clock.js';
import type { AgentConfigInput } from '../../agent/config/schema.js';
import type { ThisBoot } from '../../agent/run/boot-record.js';
import { startSim, type Sim } from '../sim/sim.js';
import { onClock, until, untilFound } from '../helpers/until.js';
import { startAgentOnSim, TEST_TIMERS, type SimAgent } from './agent-on-sim.js';
import type { LogLine } from './memory-log.js';
import { SimProcesses } from './sim-tools.js';
import { runMigrationCommand } from '../../agent/migrate/command.js';
import { startSimController, type SimController, type SimControllerOptions } from './controller-on-sim.js';
import { simMigrationPorts, type MigrationWorld } from './migration-on-sim.js';

/**
 * The in-process fleet: the simulator on its deterministic clock and agent cores on some of its
 * Dom0s, all in the test's process. Time moves only in `advance`/`until`, so a test reads like a
 * scenario and replays exactly; a later controller core joins the same clock.
 */
export interface Fleet {
  readonly sim: Sim;
  /** the controller core the agents report to (startFleet with { controller: true }) */
  readonly controller: SimController | null;
  /** the standby controller core (startFleet with { standby }): the agents' second URL, dialled when the first cannot be reached */
  readonly standby: SimController | null;
  agent(host: string): SimAgent;
  /** an agent core on host (replacing a crashed one); its processes survive a crash of the last */
  /** recordedHost: the name a host-name record gives it at start (else the host's own) */
  /** CLOCK: what the agent reads as its system clock (its timers stay the simulator's) */
  /** BOOT: the boot it judges its boot record by, as `xenherd-agent run` does (else the record is used as it is) */
  startAgent(host: string, config?: AgentConfigInput, recordedHost?: string, clock?: Clock, boot?: ThisBoot): SimAgent;
  /** the agent process dies: nothing of it reacts any more; an `xl create` it ran runs on */
  crash(host: string): void;
  /** power off: the agent dies with its Dom0 */
  powerOff(host: string): void;
  advance(ms: number): Promise<void>;
  /** advances simulated time in steps until pred holds (a promise of it: once it settles); throws after maxMs of simulated time */
  until(pred: () => boolean | Promise<boolean>, what: string, maxMs?: number, stepMs?: number): Promise<number>;
  /** the first log line of host's agent matching pred, advancing time until it comes */
  log(host: string, pred: (l: LogLine) => boolean, what: string, maxMs?: number): Promise<LogLine>;
  stop(): Promise<void>;
}

export interface FleetOptions {
  /** a controller core in process, every agent reporting to it */
  readonly controller?: boolean | SimControllerOptions;
  /** a second controller core, in every agent's standbyUrls (with controller only) */
  readonly standby?: SimControllerOptions;
  /** where the simulator keeps its hosts' files (its own temp dir by default); the caller removes it */
  readonly dir?: string;
}

export async function startFleet(fleetText: string, options: FleetOptions = {}): Promise<Fleet> {
  const sim = await startSim({ fleet: fleetText, clock: 'deterministic', ...(options.dir ? { dir: options.dir } : {}) });
  const controller = options.controller ? startSimController(sim, options.controller === true ? {} : options.controller) : null;
  const standby = controller && options.standby ? startSimController(sim, options.standby) : null;
  const agents = new Map<string, SimAgent>();
  const procs = new Map<string, SimProcesses>();
  let seed = 1;
  // the clock settled (timers due now fired) before the first look
  const untilOnSim = async (pred: () => boolean | Promise<boolean>, what: string, maxMs = 60_000, stepMs = 10): Promise<number> => {
    await sim.advance(0);
    await until(pred, what, onClock(sim, maxMs, stepMs));
    return sim.clock.now();
  };
  const logLineOnSim = async (host: string, pred: (l: LogLine) => boolean, what: string, maxMs = 60_000): Promise<LogLine> => {
    await sim.advance(0);
    return untilFound(() => fleet.agent(host).logs.find(pred), `${host}: log line "${what}"`, onClock(sim, maxMs, 10));
  };
  // a crashed agent's control socket is gone: a migration's hold and nudge find no daemon, as the real CLI would
  const world: MigrationWorld = { sim, agentOn: (h) => (agents.get(h)?.core.alive ? agents.get(h) : undefined) };
  const fleet: Fleet = {
    sim,
    controller,
    standby,
    agent: (host) => {
      const a = agents.get(host);
      if (!a) throw new Error(`no agent on ${host}`);
      return a;
    },
    startAgent: (host, config = TEST_TIMERS, recordedHost, clock, boot) => {
      agents.get(host)?.core.abandon();
      const p = procs.get(host) ?? new SimProcesses();
      procs.set(host, p);
      const standbyUrls = standby ? { standbyUrls: ['wss://standby.test:7443'] } : {};
      const withController = controller ? { ...config, controller: { url: 'wss://controller.test:7443', ...standbyUrls, token: 'xh1.000000000000.testtokentesttokentesttoken' } } : config;
      const dial = (url: number) => ((url === 0 || !standby ? controller : standby) as SimController).connectFor(host)(url);
      // a command runs inside the agent's process: if it crashes, the command's own writes stop with it
      const alive = (): boolean => a.core.alive;
      const a: SimAgent = startAgentOnSim(sim, host, withController, seed++, p, {
        ...(controller ? { connectController: standby ? dial : controller.connectFor(host) } : {}),
        ...(controller && standby ? { probePrimary: async () => controller.answers(host) } : {}),
        runCommand: (c, progress) => runMigrationCommand(simMigrationPorts(world, host, alive), c, progress),
        ...(recordedHost !== undefined ? { recordedHost } : {}),
        ...(clock !== undefined ? { clock } : {}),
        ...(boot !== undefined ? { boot } : {}),
      });
      agents.set(host, a);
      return a;
    },
    crash: (host) => fleet.agent(host).core.abandon(),
    powerOff: (host) => {
      agents.get(host)?.core.abandon();
      sim.power(host, 'off');
    },
    advance: (ms) => sim.advance(ms),
    until: untilOnSim,
    log: logLineOnSim,
    stop: async () => {
      for (const a of agents.values()) a.core.abandon();
      controller?.close();
      standby?.close();
      await sim.stop();
    },
  };
  return fleet;
}

export { creates, runsOn } from '../helpers/sim-looks.js';
