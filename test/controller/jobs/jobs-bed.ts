import { ControllerCore } from '../../../controller/core/controller-core.js';
import type { ControllerSettings } from '../../../controller/core/settings.js';
import { rollRecordsFile } from '../../../controller/files/roll-records-file.js';
import type { JobSettings } from '../../../controller/jobs/settings.js';
import type { JobEnd, JobEvent, JobRequest } from '../../../shared/protocol/ctl-jobs.js';
import { memoryLogger, type LogLine } from '../../harness/memory-log.js';
import { deterministicClock, type SimClock } from '../../sim/daemon/clock.js';
import type { CommandMessage } from '../../../shared/protocol/agent-link.js';
import type { Reply, SimDom0 } from './sim-dom0.js';
import { SimFleet, type SimSpec } from './sim-fleet.js';
import { onClock, until } from '../../helpers/until.js';

export const T0 = Date.UTC(2024, 4, 1, 14, 0, 0);
export const SETTINGS: Partial<ControllerSettings> = { heartbeatMs: 1_000, staleAfterMs: 3_000, commandTimeoutMs: 3_600_000, maxMessageBytes: 4 * 1024 * 1024 };

export interface RunningJob {
  readonly events: JobEvent[];
  end: JobEnd | null;
  readonly jobId: string;
}

/** One controller core (or several) and a simulated fleet, all on one deterministic clock. */
export interface JobsBed {
  readonly clock: SimClock;
  readonly fleet: SimFleet;
  core: ControllerCore;
  readonly logs: LogLine[];
  /** a new controller core (e.g. after a restart, or a second controller), its agents connected */
  newCore(identity?: string): ControllerCore;
  start(req: JobRequest, core?: ControllerCore, operator?: string): RunningJob;
  /** advances the clock a second at a time until cond() holds, or the promise it gives (or fails after maxMs of simulated time) */
  until(cond: () => boolean | Promise<boolean>, what: string, maxMs?: number): Promise<void>;
  finish(job: RunningJob, maxMs?: number): Promise<JobEnd>;
  moves(job: RunningJob, phase?: string): Array<Extract<JobEvent, { type: 'move' }>>;
  /** no domU ever ran (plain) on two hosts, and none was started by a cold start twice */
  neverTwice(): void;
}

/** STATE_DIR: the controllers' state dir, where rolls keep what they finished (none: each core keeps it in memory). */
export async function jobsBed(spec: SimSpec, jobs: Partial<JobSettings> = {}, stateDir: string | null = null): Promise<JobsBed> {
  const clock = deterministicClock(T0);
  const { log, lines } = memoryLogger(clock, 'xenherd-controller');
  let n = 0;
  const fleet = new SimFleet(clock, spec);
  const twice: string[] = [];
  for (const h of fleet.hosts.values()) {
    const publish = h.publish.bind(h);
    h.publish = () => {
      for (const d of spec.domus) if (fleet.where(d.name).length > 1) twice.push(`${d.name}@${clock.now()}: ${fleet.where(d.name).join(',')}`);
      publish();
    };
  }
  const make = (identity: string): ControllerCore => {
    // ids go into operation ids, which take no '@', ':' or '/' of a real controller's name
    const idPrefix = identity.replace(/[^A-Za-z0-9-]/g, '-');
    const core = new ControllerCore({ clock, log: log.child({ ctl: identity }), newId: () => `${idPrefix}-${++n}`, settings: SETTINGS, jobs: { quietMs: 500, ...jobs }, identity, ...(stateDir === null ? {} : { rollRecords: rollRecordsFile(stateDir) }) });
    fleet.connectAll(core);
    return core;
  };
  const bed: JobsBed = {
    clock,
    fleet,
    core: make('ctl-a'),
    logs: lines,
    newCore: (identity = 'ctl-b') => make(identity),
    start: (req, core = bed.core, operator = 'admin') => {
      const run: RunningJob = { events: [], end: null, jobId: '' };
      const r = core.hub.start(req, operator, (e) => {
        run.events.push(e);
        if (e.type === 'end') run.end = e;
      });
      if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
      return Object.assign(run, { jobId: r.value.job.id });
    },
    until: (cond, what, maxMs = 3_600_000) => until(cond, what, onClock(clock, maxMs, 1_000)),
    finish: async (job, maxMs) => {
      await bed.until(() => job.end !== null, `the end of ${job.jobId}`, maxMs);
      return job.end as JobEnd;
    },
    moves: (job, phase) => job.events.filter((e): e is Extract<JobEvent, { type: 'move' }> => e.type === 'move' && (phase === undefined || e.phase === phase)),
    neverTwice: () => {
      if (twice.length > 0) throw new Error(`a domU ran on two hosts: ${twice.join('; ')}`);
      const started = new Map<string, number>();
      for (const s of fleet.starts) started.set(s.name, (started.get(s.name) ?? 0) + 1);
      const again = [...started].filter(([, k]) => k > 1);
      if (again.length > 0) throw new Error(`started twice: ${JSON.stringify(again)}`);
    },
  };
  await clock.advance(0);
  return bed;
}

/** Two Dom0 pairs: xen1+xen2 share DRBD for a*, xen1+xen3 for b*: a drain of xen1 spreads over xen2 and xen3. */
export const SPREAD: SimSpec = {
  hosts: [{ name: 'xen1' }, { name: 'xen2' }, { name: 'xen3' }],
  domus: [
    { name: 'a1', home: 'xen1', replicas: ['xen1', 'xen2'], memMiB: 2048 },
    { name: 'a2', home: 'xen1', replicas: ['xen1', 'xen2'], memMiB: 1024 },
    { name: 'b1', home: 'xen1', replicas: ['xen1', 'xen3'], memMiB: 2048 },
    { name: 'b2', home: 'xen1', replicas: ['xen1', 'xen3'], memMiB: 1024 },
    { name: 'c1', home: 'xen2', replicas: ['xen2', 'xen3'], memMiB: 1024 },
  ],
};

type MigrateCommand = Extract<CommandMessage, { op: 'migrate' }>;

/** HOST's agent answers its migrate of NAME with RUN (a broken, lying or alarmed agent); every other command is the simulator's. */
export function interceptMigrate(bed: JobsBed, host: string, name: string, run: (c: MigrateCommand, reply: Reply) => void): void {
  const command = bed.fleet.command.bind(bed.fleet);
  bed.fleet.command = (h, c, reply) => (h.name === host && c.op === 'migrate' && c.name === name ? run(c, reply) : command(h, c, reply));
}

/** HOST's agent holds its migrate of NAME, as one taking minutes: the answers not given yet, each given (by the simulator) when called. */
export function holdMigrate(bed: JobsBed, host: string, name: string): Array<() => void> {
  const command = bed.fleet.command.bind(bed.fleet);
  const held: Array<() => void> = [];
  interceptMigrate(bed, host, name, (c, reply) => held.push(() => command(bed.fleet.host(host), c, reply)));
  return held;
}

/** SRC's agent keeps an ALARM of the migration OPERATIONID of NAME (to PEER) in its ledger, unsettled, as the real agent does before it answers. */
export function keepUnsettled(bed: JobsBed, src: SimDom0, name: string, peer: string, operationId: string, message: string): void {
  const u = { peer, since: new Date(bed.clock.now()).toISOString(), operationId, operation: 'migrate' as const, message };
  src.ledger = { ...src.ledger, seq: src.ledger.seq + 1, unsettled: { [name]: u } };
}

/**
 * Plays the reboots a roll asks for until it ends (WHAT names the wait): each host of a group is
 * rebooted and its agent back 45 s later; BEFORE sees each group's hosts first (still drained).
 * The groups rebooted, in order.
 */
export async function rollToEnd(bed: JobsBed, job: RunningJob, what = 'the roll', before: (hosts: readonly string[]) => void = () => undefined): Promise<string[][]> {
  const rebooted: string[][] = [];
  await bed.until(() => {
    for (const r of job.events.filter((e) => e.type === 'reboot').slice(rebooted.length)) {
      if (r.type !== 'reboot') continue;
      before(r.hosts);
      rebooted.push([...r.hosts]);
      for (const h of r.hosts) {
        const d = bed.fleet.host(h);
        d.reboot();
        bed.clock.schedule(45_000, () => d.restartAgent([bed.core]));
      }
    }
    return job.end !== null;
  }, what);
  return rebooted;
}
