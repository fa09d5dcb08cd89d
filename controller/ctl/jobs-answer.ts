import * as z from 'zod';
import { MsSchema as Ms, WordSchema } from '../../shared/protocol/ctl-api-base.js';
import { WireErrorCodeSchema } from '../../shared/protocol/wire-error-code.js';
import type { CutOperation, FinishedJob, JobSummary, RunningCommand } from '../../shared/protocol/ctl-jobs.js';

/**
 * GET /v1/jobs as xenherdctl reads it (the controller's own shape: shared/protocol/ctl-jobs.ts),
 * and what `xenherdctl jobs --json` prints. A controller of an older release lists only the running
 * jobs, without their step, counts, the ended jobs or the operators' migrations: those are read as
 * absent. A newer one may run a kind of job, or end one with a code, this build does not know:
 * they are only shown, so they are read as any word of their form.
 */
const Word = WordSchema;
const Count = z.number().int().nonnegative();
const Text = z.string().max(4000);
const Name = z.string().min(1).max(255);

const RunningRead = z.strictObject({
  jobId: z.string().max(100),
  kind: Word,
  hosts: z.array(Name),
  by: z.string().max(200),
  startedAt: Ms,
  inFlight: Count,
  stopping: z.boolean(),
  operationId: z.string().max(100).nullable().optional(),
  step: Text.nullable().optional(),
  moved: Count.optional(),
  failed: Count.optional(),
  remaining: Count.optional(),
});
const FinishedRead = z.strictObject({
  jobId: z.string().max(100),
  kind: Word,
  hosts: z.array(Name),
  by: z.string().max(200),
  startedAt: Ms,
  endedAt: Ms,
  operationId: z.string().max(100).nullable(),
  stopReason: Word.nullable(),
  ok: z.boolean(),
  code: WireErrorCodeSchema.nullable(),
  message: Text,
  moved: Count,
  remaining: Count,
});
const CommandRead = z.strictObject({
  commandId: z.string().max(100),
  op: Word,
  name: Name,
  host: Name,
  target: Name.nullable(),
  by: z.string().max(200),
  operationId: z.string().max(100),
  sentAt: Ms,
});
const CutRead = z.strictObject({ host: Name, state: Word, operationId: z.string().max(100).nullable(), since: Ms.nullable() });
export const JobsAnswerReadSchema = z.strictObject({ at: Ms, jobs: z.array(RunningRead), finished: z.array(FinishedRead).optional(), keeps: Count.optional(), commands: z.array(CommandRead).optional(), cut: z.array(CutRead).optional() });
export type JobsAnswerAsRead = z.infer<typeof JobsAnswerReadSchema>;

// what this build reads must take whatever its own controller sends
type Takes<Read, Sent extends Read> = Sent;
export type Checked = [Takes<z.infer<typeof RunningRead>, JobSummary>, Takes<z.infer<typeof FinishedRead>, FinishedJob>, Takes<z.infer<typeof CommandRead>, RunningCommand>, Takes<z.infer<typeof CutRead>, CutOperation>];

/**
 * One row of `xenherdctl jobs --json`. ID: what `xenherdctl cancel` takes (CANCEL false: an
 * operator's migrate or reverse, which runs on the Dom0s to its end); TARGET: the hosts a job works
 * on (none: a rebalance, the whole fleet), or for a migrate/reverse the domU and its hosts;
 * STARTEDBY: the token's name. A running row's STATE is running or stopping; a finished row's says
 * how it ended: done, failed, cancelled, timed-out or stopped (a controller shutdown).
 */
export const JobRowSchema = z.strictObject({
  id: z.string(),
  kind: z.string(),
  domu: z.string().nullable(),
  hosts: z.array(z.string()),
  startedBy: z.string(),
  startedAt: Ms,
  ageMs: Ms,
  state: z.string(),
  step: z.string().nullable(),
  cancel: z.boolean(),
  moved: Count.nullable(),
  /** moves running now */
  running: Count.nullable(),
  failed: Count.nullable(),
  remaining: Count.nullable(),
  endedAt: Ms.nullable(),
  code: z.string().nullable(),
  message: z.string().nullable(),
});
export type JobRow = z.infer<typeof JobRowSchema>;

/** `xenherdctl jobs --json`: RUNNING first (oldest first), then FINISHED (newest first); REMEMBERS: how many ended jobs the controller keeps (null: an older controller, which keeps none); CUT: its drains and restores no job carries on (after a restart too), only when there are any. */
export const JobsListingSchema = z.strictObject({ at: Ms, running: z.array(JobRowSchema), finished: z.array(JobRowSchema), remembers: Count.nullable(), cut: z.array(CutRead).optional() });
export type JobsListing = z.infer<typeof JobsListingSchema>;

/** "ctl:alice" → "alice": the name of the operator's token, as `xenherd-controller tokens` lists it. */
export const tokenName = (by: string): string => (by.startsWith('ctl:') ? by.slice(4) : by);

const endingOf = (f: z.infer<typeof FinishedRead>): string =>
  f.ok ? 'done' : f.stopReason === 'cancelled' ? 'cancelled' : f.stopReason === 'timeout' ? 'timed-out' : f.stopReason === 'aborted' ? 'stopped' : (f.stopReason ?? 'failed');

/** The answer as the listing --json prints and the table shows. */
export function listingOf(a: JobsAnswerAsRead): JobsListing {
  const none = { endedAt: null, code: null, message: null };
  const jobs = a.jobs.map((j): JobRow => ({
    ...none,
    id: j.jobId,
    kind: j.kind,
    domu: null,
    hosts: j.hosts,
    startedBy: tokenName(j.by),
    startedAt: j.startedAt,
    ageMs: Math.max(0, a.at - j.startedAt),
    state: j.stopping ? 'stopping' : 'running',
    step: j.step ?? null,
    cancel: !j.stopping,
    moved: j.moved ?? null,
    running: j.inFlight,
    failed: j.failed ?? null,
    remaining: j.remaining ?? null,
  }));
  const commands = (a.commands ?? []).map((c): JobRow => ({
    ...none,
    id: c.commandId,
    kind: c.op,
    domu: c.name,
    hosts: c.target === null ? [c.host] : [c.host, c.target],
    startedBy: tokenName(c.by),
    startedAt: c.sentAt,
    ageMs: Math.max(0, a.at - c.sentAt),
    state: 'running',
    step: null,
    cancel: false,
    moved: null,
    running: null,
    failed: null,
    remaining: null,
  }));
  const finished = (a.finished ?? []).map((f): JobRow => ({
    id: f.jobId,
    kind: f.kind,
    domu: null,
    hosts: f.hosts,
    startedBy: tokenName(f.by),
    startedAt: f.startedAt,
    ageMs: Math.max(0, a.at - f.startedAt),
    state: endingOf(f),
    step: null,
    cancel: false,
    moved: f.moved,
    running: null,
    failed: null,
    remaining: f.remaining,
    endedAt: f.endedAt,
    code: f.code,
    message: f.message,
  }));
  const running = [...jobs, ...commands].sort((x, y) => x.startedAt - y.startedAt);
  return { at: a.at, running, finished: [...finished].sort((x, y) => (y.endedAt ?? 0) - (x.endedAt ?? 0)), remembers: a.keeps ?? null, ...(a.cut !== undefined && a.cut.length > 0 ? { cut: a.cut } : {}) };
}
