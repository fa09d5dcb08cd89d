import { noAgentMessage } from '../fleet/no-agent-message.js';
import type { XhError } from '../../shared/errors.js';
import type { CutOperation, FinishedJob, JobEvent, JobRequest, JobSummary, Plan, PlanRequest } from '../../shared/protocol/ctl-jobs.js';
import { err, ok, type Result } from '../../shared/result.js';
import { cancelledEnding, cancelNote, notRunningWords } from '../../shared/text/cancel-words.js';
import type { CancelAnswer } from '../../shared/protocol/ctl-cancel.js';
import type { PlanFacts } from '../plan/facts.js';
import type { PlanPolicy } from '../plan/policy.js';
import { planRestore } from '../plan/restore.js';
import { memoryRollRecords, type RollRecords } from '../plan/roll-record.js';
import { limitsWith, runDrain } from './drain-job.js';
import { InFlightBook } from './in-flight.js';
import { failure, type Ending, type JobEnv } from './job-env.js';
import { busyWords, JobRun } from './job-run.js';
import type { JobProgress } from './job-tally.js';
import { LinkSpeed } from './link-speed.js';
import { runMaintenance } from './maintenance-job.js';
import type { MoveScheduler } from './move-scheduler.js';
import { drainInSlices, rebalanceInSlices, rollInSlices } from './plan-in-slices.js';
import type { FleetPort } from './port.js';
import { runRebalance } from './rebalance-job.js';
import { runRestore } from './restore-job.js';
import { runRoll } from './roll-job.js';
import { rollStartRefusal } from './roll-unheard.js';
import { RollProgress } from './roll-progress.js';
import { cutByLostFlag, cutByShutdown } from './shutdown-ending.js';
import { cutOperations } from './cut-operations.js';
import type { JobSettings } from './settings.js';

/** The refusal for HOSTS of which no agent has reported (its job could only fail), or null. */
const unheardOf = (hosts: readonly string[], f: PlanFacts): XhError | null => {
  const unknown = hosts.filter((h) => !f.host(h)?.record.state);
  return unknown.length === 0 ? null : { code: 'XH_ERR_NOT_FOUND', message: noAgentMessage(unknown, f.hostNames()) };
};

/**
 * How many ended jobs the hub remembers for `xenherdctl jobs`: enough for a second on-call to see
 * the night's drains, restores and rolls; older ones are in the controller's log.
 */
export const FINISHED_KEPT = 20;

const hostsOf = (r: JobRequest): string[] => (r.kind === 'rebalance' ? [] : r.kind === 'roll' ? [...new Set(r.hosts)].sort() : [r.host]);

/**
 * The jobs running in this controller: started for an operator, followed by one or more
 * streams, cancelled on request, ended on shutdown. One job per host at a time: asking for the
 * same job again follows the running one; another job on its host is refused. The concurrency
 * limits and the measured link speed are shared by all jobs.
 */
export class JobHub {
  private readonly jobs = new Map<string, JobRun>();
  /** each job's run, to its end: a job that continues a stopped one starts after it */
  private readonly runs = new Map<string, Promise<void>>();
  private readonly schedulers = new Set<MoveScheduler>();
  /** the latest ended jobs, newest first, at most FINISHED_KEPT */
  private readonly ended: FinishedJob[] = [];
  private readonly env: JobEnv;

  constructor(
    private readonly port: FleetPort,
    readonly settings: JobSettings,
    policy: PlanPolicy,
    rollRecords: RollRecords = memoryRollRecords(),
  ) {
    this.env = {
      port,
      settings,
      book: new InFlightBook(),
      speed: new LinkSpeed(settings),
      policy: { ...policy, reserveMiB: settings.reserveMiB, limits: settings.limits },
      rollRecords,
      recentMoves: new Map(),
      rebalanceBlocked: () => this.rebalanceBlocked(),
      drainsElsewhere: (except) => this.drainsElsewhere(except),
      jobOn: (host, except) => [...this.jobs.values()].find((j) => j !== except && j.hosts.includes(host)) ?? null,
      track: (s) => {
        this.schedulers.add(s);
        return () => this.schedulers.delete(s);
      },
    };
  }

  /**
   * The plan REQ asks for, from the current view. Drains, rebalances and rolls are planned a slice
   * at a time (plan-in-slices.ts): at 40,000 domUs one took up to 16 s, and the controller answered
   * nothing meanwhile. A restore plans one host's homecomings, small enough to plan at once.
   */
  async plan(req: PlanRequest): Promise<Result<Plan, XhError>> {
    const f = this.port.facts();
    const p = this.env.policy;
    const clock = this.port.clock;
    const unheard = unheardOf(req.kind === 'drain' || req.kind === 'roll' ? req.hosts : req.kind === 'restore' ? [req.host] : [], f);
    if (unheard) return err(unheard);
    switch (req.kind) {
      case 'drain':
        // as the drain would run now: never to a host another drain of this controller empties
        return ok(await drainInSlices(clock, f, req.hosts, { ...p, limits: limitsWith(p.limits, req.maxParallel ?? null), coldFallback: req.coldFallback === true, emptiedElsewhere: this.drainsElsewhere(null) }));
      case 'restore':
        return ok(planRestore(f, req.host, p));
      case 'rebalance':
        return ok(await rebalanceInSlices(clock, f, p, this.rebalanceBlocked(), req.maxMoves));
      case 'roll': {
        // refused as the roll would be (an agent not heard): a plan of groups would say it could begin
        const refused = await rollStartRefusal(clock, f, req.hosts, { ...p, coldFallback: req.coldFallback === true });
        if (refused !== null) return err(refused);
        // as the roll would run now: a host a stopped roll of them finished is in no group (roll-progress.ts)
        const progress = new RollProgress(this.env, null, req.hosts);
        // the roll itself would refuse: its plan says why rather than show drains it will not run
        const foreign = progress.foreignRoll();
        if (foreign !== null) return err({ code: 'XH_ERR_REFUSED', message: foreign });
        const steps = progress.steps();
        const toRoll = steps.filter((s) => s.step !== 'done').map((s) => s.host);
        const plan = toRoll.length === 0 ? { kind: 'roll' as const, groups: [], leftovers: [] } : await rollInSlices(clock, f, toRoll, { ...p, coldFallback: req.coldFallback === true }, req.groupSize ?? null);
        return ok({ ...plan, steps });
      }
    }
  }

  /** Starts REQ for OPERATOR (or follows the same job already running); follow gets every event, `end` last. */
  start(req: JobRequest, operator: string, follow: (e: JobEvent) => void): Result<{ job: JobRun; unfollow: () => void }, XhError> {
    const hosts = hostsOf(req);
    // a misspelt or never-enrolled host is refused before a job exists: no job id, no log of a start
    const unheard = unheardOf(hosts, this.port.facts());
    if (unheard) return err(unheard);
    const sameJobs = [...this.jobs.values()].filter((j) => j.kind === req.kind && j.hosts.join(',') === hosts.join(','));
    const same = sameJobs.find((j) => j.stopReason === null);
    if (same && req.kind !== 'maintenance') return ok({ job: same, unfollow: same.follow(follow, true) });
    // "run it again to continue" right after a Ctrl-C (or a --timeout): the stopped job still
    // waits for its running moves, and following it would only show its end. The new job goes on
    // from where that one stops, once it has ended.
    const stopping = req.kind === 'maintenance' ? undefined : sameJobs.find((j) => j.stopReason === 'cancelled' || j.stopReason === 'timeout');
    const busy = req.kind === 'maintenance' || stopping ? null : [...this.jobs.values()].find((j) => j.hosts.some((h) => hosts.includes(h)) || (req.kind === 'rebalance' && j.kind === 'rebalance'));
    if (busy) return err({ code: 'XH_ERR_LOCKED', message: busyWords(busy, busy.hosts.join(', ') || 'the fleet') });
    const job = new JobRun(`job-${this.port.newId()}`, req.kind, hosts, `ctl:${operator}`, this.port.clock.now());
    this.jobs.set(job.id, job);
    const unfollow = job.follow(follow, false);
    this.port.log.info({ event: 'operator-action', jobId: job.id, by: job.by, action: req.kind, request: req }, `${operator} started ${req.kind}${hosts.length > 0 ? ` ${hosts.join(' ')}` : ''} (${job.id})`);
    job.emit({ type: 'job', jobId: job.id, kind: req.kind, hosts, operationId: null, by: job.by, startedAt: job.startedAt, attached: false });
    const previous = stopping === undefined ? undefined : this.runs.get(stopping.id);
    if (stopping !== undefined) job.emit({ type: 'note', level: 'info', line: `the ${req.kind} ${stopping.id} was stopped (${stopping.stopReason}) and waits for its ${stopping.inFlight()} running move(s): this one goes on from there once it has ended` });
    // at once when it waits for nothing: its first steps run before start() returns, as they always did
    const running = previous === undefined ? this.run(job, req) : previous.then(() => this.run(job, req));
    this.runs.set(job.id, running);
    void running.finally(() => this.runs.delete(job.id));
    return ok({ job, unfollow });
  }

  /**
   * Stops JOBID for OPERATOR: the one who started it (Ctrl-C) or anyone else on purpose (`xenherdctl
   * cancel`); the log line and the job's followers are told whose job it was, so a colleague's
   * stopped drain is not a mystery in the morning.
   */
  cancel(jobId: string, operator: string): Result<CancelAnswer, XhError> {
    const job = this.jobs.get(jobId);
    if (!job) return err({ code: 'XH_ERR_NOT_FOUND', message: notRunningWords(jobId, this.ended.find((f) => f.jobId === jobId)) });
    const what = `${job.kind}${job.hosts.length > 0 ? ` ${job.hosts.join(' ')}` : ''}`;
    // asked again while it waits for its running moves: its followers were told once, and one
    // warning per cancel read as a job stopped again and again
    if (job.stopReason !== null) {
      this.port.log.info({ event: 'operator-action', jobId, by: `ctl:${operator}`, action: 'cancel-again', kind: job.kind, hosts: job.hosts, startedBy: job.by }, `${operator} asked to cancel ${what} (${job.id}) again: it is stopping already (${job.stopReason})`);
      const asked = job.cancelAsked;
      return ok({ jobId, stopping: true, inFlight: job.inFlight(), already: { reason: job.stopReason, at: asked?.at ?? null, by: asked?.by ?? null, waitsFor: job.tally.runningMoves() } });
    }
    this.port.log.info(
      { event: 'operator-action', jobId, by: `ctl:${operator}`, action: 'cancel', kind: job.kind, hosts: job.hosts, startedBy: job.by },
      `${operator} cancelled ${what} (${job.id}, started by ${job.by}): running moves finish, nothing new starts`,
    );
    job.emit({ type: 'note', level: 'warn', line: cancelNote(operator, job.by === `ctl:${operator}` ? null : job.by, job.inFlight()) });
    job.cancelAsked = { at: this.port.clock.now(), by: operator };
    job.stop('cancelled');
    return ok({ jobId, stopping: true, inFlight: job.inFlight() });
  }

  /** The running jobs, oldest first. */
  list(): JobSummary[] {
    return [...this.jobs.values()]
      .sort((a, b) => a.startedAt - b.startedAt)
      .map((j) => {
        const { moved, failed, remaining } = j.tally.counts();
        return { jobId: j.id, kind: j.kind, hosts: [...j.hosts], by: j.by, startedAt: j.startedAt, inFlight: j.inFlight(), stopping: j.stopReason !== null, operationId: j.operationId, step: j.step?.slice(0, 4000) ?? null, moved, failed, remaining };
      });
  }

  /** The jobs that ended since the controller started, newest first, at most FINISHED_KEPT. */
  finished(): FinishedJob[] {
    return [...this.ended];
  }

  /** The drains and restores of this controller that no job carries on (cut-operations.ts). */
  cut(): CutOperation[] {
    const busy = new Set([...this.jobs.values()].flatMap((j) => j.hosts));
    const records = this.port.facts().hostNames().flatMap((h) => this.port.record(h) ?? []);
    return cutOperations(records, this.port.identity, busy);
  }

  /** How far each running job is, in moves (for the metrics). */
  progress(): JobProgress[] {
    return [...this.jobs.values()].map((j) => ({ jobId: j.id, kind: j.kind, hosts: [...j.hosts], ...j.tally.counts() }));
  }

  /**
   * On controller shutdown: every job stops (running moves are abandoned to their agents, which
   * finish them). Resolves once each has ended, its end line sent to its followers.
   */
  close(): Promise<void> {
    for (const j of this.jobs.values()) j.stop('shutdown');
    return Promise.allSettled([...this.runs.values()]).then(() => undefined);
  }

  private async run(job: JobRun, req: JobRequest): Promise<void> {
    let end: Ending;
    try {
      end = await this.dispatch(job, req);
    } catch (e) {
      end = failure('XH_ERR_INTERNAL', `the ${req.kind} job failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    }
    if (job.stopReason === 'shutdown') end = cutByShutdown(req, job.operationId, end, this.env.settings.leaseMs);
    else if (job.stopReason === 'aborted' && job.lostFlag !== null) end = cutByLostFlag(req, job.lostFlag, end, this.port.identity);
    const cancelled = job.stopReason === 'cancelled' && !end.ok;
    if (cancelled) end = { ...end, message: cancelledEnding(req.kind, end.message) };
    this.jobs.delete(job.id);
    // a job cut by this controller's own stop is no fault to grep the journal for
    this.port.log[end.ok || job.stopReason === 'shutdown' ? 'info' : 'warn'](
      { event: 'operator-action-done', jobId: job.id, by: job.by, action: req.kind, hosts: job.hosts, operationId: job.operationId, ok: end.ok, code: end.code, moved: end.moved, remaining: end.remaining.map((l) => l.name) },
      `${req.kind} ${job.hosts.join(' ')} (${job.id}) ${end.ok ? 'done' : `ended ${end.code}`}: ${end.message}`,
    );
    // marked for scripts beside the code they already read (XH_ERR_REFUSED): a stop asked for, not a refusal
    const mark: { cancelled?: true } = cancelled ? { cancelled: true } : {};
    job.emit({ type: 'end', ...end, message: end.message.slice(0, 4000), ...mark });
    // a refusal was its caller's answer: a row of it would push a job that ran out of the FINISHED_KEPT
    if (end.ok || !job.refused) {
      const kept = { jobId: job.id, kind: job.kind, hosts: [...job.hosts], by: job.by, startedAt: job.startedAt, endedAt: this.port.clock.now(), operationId: job.operationId, stopReason: job.stopReason === 'shutdown' ? ('aborted' as const) : job.stopReason };
      this.ended.unshift({ ...kept, ok: end.ok, code: end.code, message: end.message.slice(0, 4000), moved: end.moved, remaining: end.remaining.length });
      this.ended.splice(FINISHED_KEPT);
    }
    for (const s of this.schedulers) s.poke();
  }

  private dispatch(job: JobRun, req: JobRequest): Promise<Ending> {
    switch (req.kind) {
      case 'drain':
        return runDrain(this.env, job, req);
      case 'restore':
        return runRestore(this.env, job, req);
      case 'rebalance':
        return runRebalance(this.env, job, req);
      case 'roll':
        return runRoll(this.env, job, req);
      case 'maintenance':
        return runMaintenance(this.env, job, req);
    }
  }

  /** The hosts of this controller's drains (queued behind a stopped run too), EXCEPT's aside. */
  private drainsElsewhere(except: JobRun | null): string[] {
    return [...new Set([...this.jobs.values()].filter((j) => j !== except && j.kind === 'drain').flatMap((j) => j.hosts))].sort();
  }

  /** Rebalancing waits while this controller drains, restores or rolls, or the view shows a host draining with a migration running. */
  private rebalanceBlocked(): string | null {
    const j = [...this.jobs.values()].find((x) => x.kind === 'drain' || x.kind === 'restore' || x.kind === 'roll');
    if (j) return `a ${j.kind} of ${j.hosts.join(', ')} runs (${j.id})`;
    const f = this.port.facts();
    for (const h of f.hostNames()) {
      const m = f.host(h)?.maintenance;
      if ((m?.state === 'draining' || m?.state === 'restoring') && f.domusOn(h).some((d) => d.midMigration)) return `${h} is ${m.state} (operation ${m.operationId ?? '?'}) and migrating`;
    }
    return null;
  }
}
