import * as z from 'zod';
import { MsSchema as Ms } from './ctl-api-base.js';
import { ErrorCodeSchema } from '../errors.js';
import { DomuNameSchema, HostNameSchema, MaintenanceSchema } from './agent-link-values.js';

/**
 * The orchestration part of the operator API (beside ctl-api.ts): plans as data, and jobs that
 * carry them out with progress streamed as NDJSON.
 *
 *   POST /v1/plan          PlanRequest → Plan                         (role read: nothing moves)
 *   POST /v1/jobs          JobRequest  → NDJSON JobEvent*, `end` last  (role operate)
 *   POST /v1/jobs/cancel   CancelRequest → CancelAnswer               (role operate; ctl-cancel.ts)
 *   GET  /v1/jobs          JobsAnswer: the jobs running in this controller, those that ended
 *                          lately, and operators' migrate/reverse in flight (role read)
 *
 * A job asked for again while the same job (same kind, same hosts) runs in this controller is
 * followed, not started twice: the answer replays its events so far (`job.attached` is true).
 */

const MiB = z.number().int().nonnegative();

/** Why a host cannot take (or give) a domU now. */
export const HostBlockSchema = z.enum([
  'not-reported',
  /** the controller has no record of it: revoked (forgotten once its link was down), or never enrolled */
  'not-in-fleet',
  'unreachable',
  'stale',
  /** its agent says its view of its domains is behind or unknown (xl list slow or failing) */
  'behind',
  'draining',
  'maintenance',
  'restoring',
  'no-memory-report',
  'being-emptied',
  'no-capability',
  /** it runs the other toolstack than the domU's Dom0 (xl, xm): a live migration stays within one */
  'other-toolstack',
  /** it runs an older Xen release (major.minor) than the domU's Dom0: a live migration goes to the same release or a newer one */
  'older-xen',
]);
export type HostBlock = z.infer<typeof HostBlockSchema>;

/** Why a domU is not moved: the planner's reasons, then the executor's. */
export const BlockerSchema = z.discriminatedUnion('kind', [
  /** no host reports a config for it: its disks, and so where it may run, are unknown */
  z.strictObject({ kind: z.literal('no-config') }),
  /** no other host holds a replica of every one of its DRBD resources */
  z.strictObject({ kind: z.literal('no-replica'), resources: z.array(z.string()) }),
  /** paused, crashed, dying, shut down: a live migration of it is refused */
  z.strictObject({ kind: z.literal('state'), state: z.string() }),
  z.strictObject({ kind: z.literal('mid-migration') }),
  /** a migration half of it stands that no migration explains any more (outlived, or where its disks are not): MESSAGE says why and what to check */
  z.strictObject({ kind: z.literal('migration-stranded'), message: z.string() }),
  z.strictObject({ kind: z.literal('running-twice'), hosts: z.array(HostNameSchema) }),
  /** away from its home and running nowhere (shut down, or lost with its host): only a running domU is moved */
  z.strictObject({ kind: z.literal('runs-nowhere') }),
  /** every allowed target lacks memory (with the reserve kept free) */
  z.strictObject({ kind: z.literal('no-memory'), needMiB: MiB, reserveMiB: MiB, best: z.strictObject({ host: HostNameSchema, freeMiB: MiB }).nullable() }),
  /** every host that could take it is unavailable, each for its reason */
  z.strictObject({ kind: z.literal('targets-unavailable'), targets: z.array(z.strictObject({ host: HostNameSchema, why: HostBlockSchema })) }),
  /** a visitor can only go back to its home (its disks are replicated there), which cannot take it */
  z.strictObject({ kind: z.literal('visitor'), home: HostNameSchema, why: HostBlockSchema }),
  /**
   * a DRBD resource of it is not Connected UpToDate/UpToDate between its host and TARGET (split
   * brain, link down, resync, a disk behind), as HOST reports it: the agent would refuse the live
   * migration. STATE: the word seen; CLEARSUP: DRBD gets there by itself (a resync, a link
   * reconnecting), false when a person must act (StandAlone, not up); DETAIL: the agent's preflight
   * sentence (the resource, the state seen, the fix).
   */
  z.strictObject({ kind: z.literal('drbd-not-ready'), resource: z.string(), host: HostNameSchema, target: HostNameSchema, state: z.string(), clearsUp: z.boolean(), detail: z.string() }),
  /** the host it runs on cannot be asked to move it */
  z.strictObject({ kind: z.literal('source-unavailable'), host: HostNameSchema, why: HostBlockSchema }),
  /** moved recently: rebalance leaves it alone until then */
  z.strictObject({ kind: z.literal('cooldown'), untilMs: Ms }),
  /** nothing keeps it away but the rebalance's number of moves (--max-moves), all taken by others */
  z.strictObject({ kind: z.literal('move-limit'), limit: z.number().int().positive() }),
  /** every attempt failed, it still runs where it was */
  z.strictObject({ kind: z.literal('failed'), attempts: z.number().int().nonnegative(), code: ErrorCodeSchema, message: z.string() }),
  /** the outcome could not be settled, or it runs on both or neither host: nothing more is done to it */
  z.strictObject({ kind: z.literal('alarm'), code: ErrorCodeSchema, message: z.string() }),
  /** its move was under way from FROM to TO when the controller stopped: it goes on (or ends) on FROM's agent, unwatched; nothing went wrong */
  z.strictObject({ kind: z.literal('left-to-agent'), from: HostNameSchema, to: HostNameSchema }),
  /** the job stopped before it was its turn */
  z.strictObject({ kind: z.literal('not-started'), why: z.enum(['cancelled', 'timeout', 'paused', 'stopped']) }),
]);
export type Blocker = z.infer<typeof BlockerSchema>;

export const MoveSchema = z.strictObject({
  name: DomuNameSchema,
  from: HostNameSchema,
  to: HostNameSchema,
  memMiB: MiB,
  vcpus: z.number().int().nonnegative(),
  /**
   * evacuate: off a host being emptied; home: back to its home; balance: rebalance;
   * start-home: recorded away but running nowhere: started at its home (`to`) by its agent under
   * the DRBD rules, its away record at `from` ended (a start, not a migration)
   */
  why: z.enum(['evacuate', 'home', 'visitor-home', 'balance', 'start-home']),
});
export type Move = z.infer<typeof MoveSchema>;

export const LeftoverSchema = z.strictObject({ name: DomuNameSchema, host: HostNameSchema.nullable(), blocker: BlockerSchema, message: z.string() });
export type Leftover = z.infer<typeof LeftoverSchema>;

/** Moves grouped into sets whose moves touch disjoint hosts: one set can run at once. */
const Sets = z.array(z.array(MoveSchema));

export const PlanSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('drain'), hosts: z.array(HostNameSchema), sets: Sets, leftovers: z.array(LeftoverSchema) }),
  z.strictObject({ kind: z.literal('restore'), host: HostNameSchema, sets: Sets, leftovers: z.array(LeftoverSchema) }),
  z.strictObject({
    kind: z.literal('rebalance'),
    sets: Sets,
    scoreBefore: z.number(),
    scoreAfter: z.number(),
    /** why nothing is planned although the fleet may be unbalanced (a drain runs); null otherwise */
    paused: z.string().nullable(),
    leftovers: z.array(LeftoverSchema),
    /**
     * domUs away from homes that take none now (in maintenance, restoring, unheard), by home: a
     * rebalance leaves them; MESSAGE names them and what brings them home. A controller before it sends none.
     */
    closedHomes: z.array(z.strictObject({ home: HostNameSchema, why: HostBlockSchema, names: z.array(DomuNameSchema), message: z.string() })).optional(),
  }),
  z.strictObject({
    kind: z.literal('roll'),
    groups: z.array(z.strictObject({ hosts: z.array(HostNameSchema), domus: z.number().int().nonnegative(), memMiB: MiB })),
    /**
     * what the roll does with each host asked, where a roll asked before left it: drain (and
     * reboot, restore), reboot only (empty, in maintenance), restore only (rebooted), done (finished
     * by that roll, skipped: in no group). Optional: a controller before it sends none.
     */
    steps: z.array(z.strictObject({ host: HostNameSchema, step: z.enum(['drain', 'reboot', 'restore', 'done']) })).optional(),
    /** domUs that keep their host from being drained at all: the roll does not start */
    leftovers: z.array(LeftoverSchema),
  }),
]);
export type Plan = z.infer<typeof PlanSchema>;
export type PlanOf<K extends Plan['kind']> = Extract<Plan, { kind: K }>;

/** The most hosts one plan or roll takes: a bigger fleet is rolled in parts (xenherdctl says so). */
export const MAX_JOB_HOSTS = 256;
const Hosts = z.array(HostNameSchema).min(1).max(MAX_JOB_HOSTS);
const Parallel = z.number().int().min(1).max(64).nullable();
/** a roll's --group-size: at most that many hosts down together; optional, as older xenherdctls send none */
const GroupSize = z.number().int().min(1).max(MAX_JOB_HOSTS).nullable().optional();
/**
 * --cold-fallback of the drain or roll a dry run stands for: it may place a domU on an older Xen
 * release, so the plan without it is not the one that would run. Sent only when given: a
 * controller older than the field refuses the request rather than plan without it.
 */
const ColdFallback = z.boolean().optional();
export const PlanRequestSchema = z.discriminatedUnion('kind', [
  /** maxParallel: the drain's --max-parallel, so the plan's sets are what that drain would run at once */
  z.strictObject({ kind: z.literal('drain'), hosts: Hosts, maxParallel: Parallel.optional(), coldFallback: ColdFallback }),
  z.strictObject({ kind: z.literal('restore'), host: HostNameSchema }),
  z.strictObject({ kind: z.literal('rebalance'), maxMoves: z.number().int().min(1).max(1000).nullable() }),
  z.strictObject({ kind: z.literal('roll'), hosts: Hosts, groupSize: GroupSize, coldFallback: ColdFallback }),
]);
export type PlanRequest = z.infer<typeof PlanRequestSchema>;

const Timeout = Ms.max(7 * 86_400_000).nullable();
export const JobRequestSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('drain'), host: HostNameSchema, maxParallel: Parallel, coldFallback: z.boolean(), allowPartial: z.boolean(), timeoutMs: Timeout }),
  z.strictObject({ kind: z.literal('restore'), host: HostNameSchema, timeoutMs: Timeout }),
  z.strictObject({ kind: z.literal('rebalance'), maxMoves: z.number().int().min(1).max(1000).nullable(), timeoutMs: Timeout }),
  /** reboot 'command': the operator's xenherdctl reboots each group (it runs the reboot command); 'wait': someone else does */
  z.strictObject({ kind: z.literal('roll'), hosts: Hosts, reboot: z.enum(['command', 'wait']), maxParallel: Parallel, coldFallback: z.boolean(), timeoutMs: Timeout, groupSize: GroupSize }),
  z.strictObject({ kind: z.literal('maintenance'), host: HostNameSchema, on: z.boolean() }),
]);
export type JobRequest = z.infer<typeof JobRequestSchema>;
export type JobKind = JobRequest['kind'];

/** left: the controller stopped while the move ran; it goes on on its agent, and the next reports say where the domU is (no alarm) */
export const MovePhaseSchema = z.enum(['started', 'progress', 'settling', 'retrying', 'cold', 'moved', 'failed', 'alarm', 'left']);
export type MovePhase = z.infer<typeof MovePhaseSchema>;

const Line = z.string().max(4000);
export const JobEventSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('job'),
    jobId: z.string(),
    kind: z.enum(['drain', 'restore', 'rebalance', 'roll', 'maintenance']),
    hosts: z.array(HostNameSchema),
    operationId: z.string().nullable(),
    by: z.string(),
    startedAt: Ms,
    attached: z.boolean(),
  }),
  z.strictObject({ type: z.literal('plan'), plan: PlanSchema }),
  z.strictObject({
    type: z.literal('move'),
    name: DomuNameSchema,
    from: HostNameSchema,
    to: HostNameSchema,
    memMiB: MiB,
    phase: MovePhaseSchema,
    attempt: z.number().int().nonnegative(),
    elapsedMs: Ms,
    /** the agent's progress line, or why it failed / retries */
    line: Line.nullable(),
  }),
  z.strictObject({ type: z.literal('host'), host: HostNameSchema, maintenance: MaintenanceSchema }),
  /** roll: these hosts are empty and in maintenance: reboot them now (the job waits for new boot ids) */
  z.strictObject({ type: z.literal('reboot'), hosts: z.array(HostNameSchema) }),
  z.strictObject({ type: z.literal('note'), level: z.enum(['info', 'warn']), line: Line }),
  z.strictObject({
    type: z.literal('end'),
    ok: z.boolean(),
    /** null exactly when ok; XH_ERR_TIMEOUT for a --timeout that ran out */
    code: ErrorCodeSchema.nullable(),
    message: Line,
    moved: z.number().int().nonnegative(),
    remaining: z.array(LeftoverSchema),
    /** true: a cancel stopped it (`xenherdctl cancel`, a Ctrl-C), CODE kept as older xenherdctls read it; absent otherwise and from older controllers */
    cancelled: z.literal(true).optional(),
  }),
]);
export type JobEvent = z.infer<typeof JobEventSchema>;
export type JobEnd = Extract<JobEvent, { type: 'end' }>;


const Count = z.number().int().nonnegative();
const Kind = JobEventSchema.options[0].shape.kind;

/** A job running in this controller; STOPPING: cancelled or timed out, waiting for its running moves. */
export const JobSummarySchema = z.strictObject({
  jobId: z.string(),
  kind: Kind,
  hosts: z.array(HostNameSchema),
  by: z.string(),
  startedAt: Ms,
  inFlight: Count,
  stopping: z.boolean(),
  operationId: z.string().nullable(),
  /** its latest step in words (its last plan, note, host or reboot event); null before the first */
  step: Line.nullable(),
  /** its moves so far, counted as its followers' progress bar counts them */
  moved: Count,
  failed: Count,
  remaining: Count,
});
export type JobSummary = z.infer<typeof JobSummarySchema>;

/** A job that has ended, as its `end` event said; STOPREASON: cancelled, timed out or stopped by a controller shutdown. */
export const FinishedJobSchema = z.strictObject({
  jobId: z.string(),
  kind: Kind,
  hosts: z.array(HostNameSchema),
  by: z.string(),
  startedAt: Ms,
  endedAt: Ms,
  operationId: z.string().nullable(),
  stopReason: z.enum(['cancelled', 'timeout', 'aborted']).nullable(),
  ok: z.boolean(),
  code: ErrorCodeSchema.nullable(),
  message: Line,
  moved: Count,
  /** how many domUs its end listed as remaining */
  remaining: Count,
});
export type FinishedJob = z.infer<typeof FinishedJobSchema>;

/** An operator's migrate or reverse the controller passed to the agent of HOST and that has not ended. */
export const RunningCommandSchema = z.strictObject({
  commandId: z.string(),
  op: z.enum(['migrate', 'reverse']),
  name: DomuNameSchema,
  host: HostNameSchema,
  /** where a migrate was sent (null: the domU's DRBD peer); a reverse goes to HOST, its home */
  target: HostNameSchema.nullable(),
  by: z.string(),
  operationId: z.string(),
  sentAt: Ms,
});
export type RunningCommand = z.infer<typeof RunningCommandSchema>;

/**
 * GET /v1/jobs. JOBS: those running, oldest first. FINISHED: the latest that ended since the
 * controller started, newest first, at most KEEPS of them (kept in memory only: a restart
 * forgets them; its log keeps every job's end). COMMANDS: operators' migrate and reverse in flight.
 */
/**
 * A host this controller's maintenance flag holds draining or restoring with no job of it working
 * on it: a drain or restore it ran that its stop cut (after a restart the job list is empty, the
 * flag is not) or that ended short. SINCE: when it entered that state, as far as this controller saw.
 */
export const CutOperationSchema = z.strictObject({ host: HostNameSchema, state: z.enum(['draining', 'restoring']), operationId: z.string().nullable(), since: Ms.nullable() });
export type CutOperation = z.infer<typeof CutOperationSchema>;

/** CUT: optional, as a controller before it sends none. */
export const JobsAnswerSchema = z.strictObject({ at: Ms, jobs: z.array(JobSummarySchema), finished: z.array(FinishedJobSchema), keeps: Count, commands: z.array(RunningCommandSchema), cut: z.array(CutOperationSchema).optional() });
export type JobsAnswer = z.infer<typeof JobsAnswerSchema>;
