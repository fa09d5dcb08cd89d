import { ControllerCore } from '../../controller/core/controller-core.js';
import type { ControllerSettings } from '../../controller/core/settings.js';
import type { JobSettings } from '../../controller/jobs/settings.js';
import { memoryLinkPair, type MemoryLinkPair } from '../../shared/link/memory-link.js';
import { ok } from '../../shared/result.js';
import type { AgentPorts } from '../../agent/run/ports.js';
import type { Sim } from '../sim/sim.js';
import { memoryLogger, type LogLine } from './memory-log.js';

/**
 * A controller core in the test's process, on the simulator's clock: agents reach it over memory
 * links the harness can cut, as the fault harness will do with real network faults. It can crash
 * and be started again (a new core, nothing carried over: the agents reconnect and report).
 */
export interface SimController {
  /** the current core (a new one after restart) */
  readonly core: ControllerCore;
  readonly logs: LogLine[];
  /** the agent port that "dials" this controller for host */
  connectFor(host: string): NonNullable<AgentPorts['connectController']>;
  /** the link of host dies without a close frame (cable pulled) */
  cut(host: string): void;
  /** whether a try of host's agent would reach this controller now (an agent's check of its primary) */
  answers(host: string): boolean;
  /** refuse or allow new links of host (a partition that lasts) */
  partition(host: string, cut: boolean): void;
  /** the controller process dies: every link drops, its jobs end with it */
  crash(): void;
  /** a new controller process (after a crash, or in place of the running one) */
  restart(): ControllerCore;
  close(): void;
}

export const SIM_CONTROLLER_SETTINGS: Partial<ControllerSettings> = { heartbeatMs: 1_000, staleAfterMs: 3_000, commandTimeoutMs: 600_000 };

export interface SimControllerOptions {
  readonly settings?: Partial<ControllerSettings>;
  readonly jobs?: Partial<JobSettings>;
  readonly identity?: string;
  /** the enrolled hosts, as serve reads them from tokens.json (asked on every look; a new set is a change) */
  readonly enrolled?: () => ReadonlySet<string>;
}

export function startSimController(sim: Sim, o: SimControllerOptions = {}): SimController {
  const { log, lines } = memoryLogger(sim.clock, 'xenherd-controller');
  let ids = 0;
  let generation = 0;
  const identity = o.identity ?? 'xenherd-controller@sim';
  const make = (): ControllerCore => {
    generation++;
    return new ControllerCore({ clock: sim.clock, log: log.child({ generation }), newId: () => `op${generation}-${++ids}`, settings: o.settings ?? SIM_CONTROLLER_SETTINGS, ...(o.jobs ? { jobs: o.jobs } : {}), ...(o.enrolled ? { enrolled: o.enrolled } : {}), identity });
  };
  let core: ControllerCore | null = make();
  const pairs = new Map<string, MemoryLinkPair>();
  const partitioned = new Set<string>();
  const dropAll = (): void => {
    for (const p of pairs.values()) p.drop();
    pairs.clear();
  };
  const c: SimController = {
    get core(): ControllerCore {
      if (!core) throw new Error('the controller is down (crashed, not restarted)');
      return core;
    },
    logs: lines,
    connectFor: (host) => async () => {
      if (partitioned.has(host) || !core) return { ok: false, error: { kind: 'unreachable', message: `connect ECONNREFUSED (${host} cannot reach the controller)` } };
      const pair = memoryLinkPair({ name: host, clock: sim.clock });
      pairs.set(host, pair);
      core.acceptAgent(pair.controller, { host });
      return ok(pair.agent);
    },
    answers: (host) => core !== null && !partitioned.has(host),
    cut: (host) => pairs.get(host)?.drop(),
    partition: (host, cut) => {
      if (cut) {
        partitioned.add(host);
        pairs.get(host)?.drop();
      } else partitioned.delete(host);
    },
    crash: () => {
      // a dead process sends no close frames and runs no timers: drop the links, then stop its timers
      dropAll();
      core?.close();
      core = null;
    },
    restart: () => {
      if (core) c.crash();
      core = make();
      return core;
    },
    close: () => {
      core?.close();
      core = null;
    },
  };
  return c;
}
