import type { ErrorCode, XhError } from '../../shared/errors.js';
import type { JobEnd, Leftover, Move, MovePhase } from '../../shared/protocol/ctl-jobs.js';
import { CAPABILITY } from '../../shared/protocol/agent-link.js';
import { noAgentMessage } from '../fleet/no-agent-message.js';
import { leftoverMessages } from '../../shared/text/move-limit-words.js';
import type { FactHost, PlanFacts } from '../plan/facts.js';
import type { PlanPolicy } from '../plan/policy.js';
import type { RollRecords } from '../plan/roll-record.js';
import type { InFlightBook } from './in-flight.js';
import type { JobRun } from './job-run.js';
import type { LinkSpeed } from './link-speed.js';
import { AMBIGUOUS, LEFT_TO_AGENT, type MoveContext, type MoveOutcome } from './move-context.js';
import { abandons, MoveScheduler, type SchedulerEnd, type StepSpec, type StopReason } from './move-scheduler.js';
import type { FleetPort } from './port.js';
import type { JobSettings } from './settings.js';

/** What every job gets from the hub that runs it. */
export interface JobEnv {
  readonly port: FleetPort;
  readonly settings: JobSettings;
  readonly book: InFlightBook;
  readonly speed: LinkSpeed;
  readonly policy: PlanPolicy;
  /** the hosts stopped rolls finished (roll-record.ts): the controller's state dir, or memory */
  readonly rollRecords: RollRecords;
  /** name → when this controller last moved it (rebalance's cooldown) */
  readonly recentMoves: Map<string, number>;
  /** why a rebalance must wait now (a drain, restore or roll runs); null: it may go */
  rebalanceBlocked(): string | null;
  /** the hosts the other drains of this controller empty, queued or running (not EXCEPT's own) */
  drainsElsewhere(except: JobRun | null): string[];
  /** another job of this controller working on HOST, if any */
  jobOn(host: string, except: JobRun): JobRun | null;
  /** registers the scheduler, so it is poked when another job ends */
  track(s: MoveScheduler): () => void;
}

export type Ending = Omit<JobEnd, 'type'>;

export const success = (message: string, moved = 0): Ending => ({ ok: true, code: null, message, moved, remaining: [] });
export const failure = (code: ErrorCode, message: string, remaining: readonly Leftover[] = [], moved = 0): Ending => ({ ok: false, code, message, moved, remaining: [...remaining] });

/**
 * ENDING, of a job JOB refused before it changed anything (a check of the controller's, or the
 * agent's no to its flag): its caller is told and the journal keeps it, but `jobs` lists no row of
 * it, as it lists none for a request refused before a job exists or a migrate its agent refused.
 */
export function refusal(job: JobRun, ending: Ending): Ending {
  job.refused = true;
  return ending;
}

/** The ending of a claim of the flag that failed: the agent's answer changed nothing; one lost on the way (AMBIGUOUS) may have. */
export const claimFailed = (job: JobRun, e: XhError): Ending => (AMBIGUOUS.has(e.code) ? failure(e.code, e.message) : refusal(job, failure(e.code, e.message)));

/** The code a job ends with when leftovers remain: the worst of them. */
export function leftoverCode(ls: readonly Leftover[]): ErrorCode {
  if (ls.some((l) => l.blocker.kind === 'alarm')) return 'XH_ERR_MIGRATION_UNKNOWN';
  if (ls.some((l) => l.blocker.kind === 'failed')) return 'XH_ERR_MIGRATION_FAILED';
  return 'XH_ERR_REFUSED';
}

/**
 * The code a job (or a roll's phase) ends with when its moves stopped short: a move left under an
 * ALARM (where the domU runs, or whether twice, is unknown) XH_ERR_MIGRATION_UNKNOWN whatever
 * stopped the job, so a script reading the code alone never takes it for a plain stop; else
 * --timeout's own; a stop (a cancel; a controller stop or a lost flag, whose endings job-hub.ts
 * rewrites) XH_ERR_REFUSED, whatever failed before it named in the words and the leftovers, so
 * every kind marked cancelled ends in xenherdctl as "cancelled: …" on the same code (exit 1 either
 * way); else the worst leftover's.
 */
export function stoppedCode(stoppedBy: StopReason | null, left: readonly Leftover[]): ErrorCode {
  if (left.some((l) => l.blocker.kind === 'alarm')) return 'XH_ERR_MIGRATION_UNKNOWN';
  if (stoppedBy === 'timeout') return 'XH_ERR_TIMEOUT';
  return stoppedBy !== null ? 'XH_ERR_REFUSED' : leftoverCode(left);
}

/** A plan's moves (its sets in order) and leftovers: one scheduler step. */
export const stepOf = (p: { readonly sets: readonly (readonly Move[])[]; readonly leftovers: readonly Leftover[] }): { moves: Move[]; leftovers: readonly Leftover[] } => ({ moves: p.sets.flat(), leftovers: p.leftovers });

/** The leftovers' messages, those a rebalance's --max-moves left said once for all (shared/text/move-limit-words.ts). */
export const remainingText = (ls: readonly Leftover[]): string => leftoverMessages(ls).join('; ');

/** Move contexts of one job: progress events with elapsed time, every end logged for the audit trail. */
export function moveContexts(env: JobEnv, job: JobRun, reason: MoveContext['reason'], operationIdOf: (m: Move) => string, coldFallback: boolean): (m: Move, stopping: () => StopReason | null) => MoveContext {
  const started = new Map<string, number>();
  return (move, stopping) => ({
    port: env.port,
    settings: env.settings,
    speed: env.speed,
    by: job.by,
    reason,
    operationId: operationIdOf(move),
    coldFallback,
    stopping: () => stopping() !== null,
    aborted: () => abandons(stopping()),
    abortedWhy: () => {
      const why = stopping();
      if (!abandons(why)) return null;
      if (why === 'shutdown') return { ownStop: true, words: 'the controller is stopping' };
      const lost = job.lostFlag;
      return { ownStop: false, words: lost === null ? 'the job lost its maintenance flag' : `the job stopped, ${lost.host}'s maintenance flag no longer its own${lost.flag?.owner ? ` (owner ${lost.flag.owner})` : ''}` };
    },
    report: (m: Move, phase: MovePhase, attempt: number, line: string | null) => {
      const now = env.port.clock.now();
      if (phase === 'started') started.set(m.name, now);
      const elapsedMs = now - (started.get(m.name) ?? now);
      if (phase === 'moved' || phase === 'failed' || phase === 'alarm' || phase === 'left') {
        // a move left to its agent as the controller stops is no alarm: one grepped for must mean one
        const unwatched = phase === 'left';
        const said = unwatched ? `${m.name} ${m.from} → ${m.to}: ${line ?? LEFT_TO_AGENT}` : `${m.name} ${m.from} → ${m.to}: ${phase}${line ? ` (${line})` : ''}`;
        env.port.log[phase === 'moved' || unwatched ? 'info' : 'warn'](
          { event: 'move-done', jobId: job.id, job: job.kind, by: job.by, domu: m.name, from: m.from, to: m.to, memMiB: m.memMiB, phase: unwatched ? 'unwatched' : phase, attempts: attempt, ms: elapsedMs, line },
          `${job.kind} ${job.id}: ${said}`,
        );
      }
      job.emit({ type: 'move', name: m.name, from: m.from, to: m.to, memMiB: m.memMiB, phase, attempt, elapsedMs, line: line === null ? null : line.slice(0, 4000) });
    },
  });
}

/** Runs a job's moves: a scheduler stopped with the job (and at its deadline), poked by the hub, noting into the job's events. */
export async function runScheduled(env: JobEnv, job: JobRun, spec: Omit<StepSpec, 'note'>, deadline: number | null): Promise<SchedulerEnd> {
  const s = new MoveScheduler(env.port, env.settings, env.book, {
    ...spec,
    jobId: job.id,
    note: (line) => job.emit({ type: 'note', level: 'info', line: line.slice(0, 4000) }),
    onEnded: (m: Move, o: MoveOutcome) => {
      if (o.kind === 'moved') env.recentMoves.set(m.name, env.port.clock.now());
      spec.onEnded?.(m, o);
    },
  });
  const untrack = env.track(s);
  const unstop = job.onStop((why) => s.stop(why));
  const cancelDeadline = deadline === null ? () => undefined : env.port.clock.schedule(Math.max(0, deadline - env.port.clock.now()), () => s.stop('timeout'));
  job.inFlight = () => s.running;
  try {
    return await s.run();
  } finally {
    untrack();
    unstop();
    cancelDeadline();
    job.inFlight = () => 0;
  }
}

/** Resolves true once cond() holds (checked on every fleet change), false at the deadline or when the job stops. */
export function waitFor(env: JobEnv, job: JobRun, cond: () => boolean, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    if (cond() || job.stopReason !== null) return resolve(cond());
    let done = false;
    const finish = (v: boolean): void => {
      if (done) return;
      done = true;
      unchange();
      cancel();
      unstop();
      resolve(v);
    };
    const unchange = env.port.onChange(() => {
      if (cond()) finish(true);
    });
    const cancel = env.port.clock.schedule(timeoutMs, () => finish(cond()));
    const unstop = job.onStop(() => finish(false));
  });
}

/** HOST's facts when it can take a maintenance job (drain, restore); else the job's ending, saying why. */
export function maintenanceHost(host: string, facts: PlanFacts): { ok: true; host: FactHost } | { ok: false; ending: Ending } {
  const no = (ending: Ending) => ({ ok: false as const, ending });
  const h = facts.host(host);
  if (!h?.record.state) return no(failure('XH_ERR_NOT_FOUND', noAgentMessage([host], facts.hostNames())));
  if (!h.reachable) return no(failure('XH_ERR_AGENT_UNREACHABLE', `the agent of ${host} is not connected (or silent): nothing was changed`));
  if (!h.capabilities.includes(CAPABILITY.maintenance)) return no(failure('XH_ERR_REFUSED', `the agent of ${host} (version ${h.record.agentVersion ?? '?'}) keeps no maintenance flag: upgrade it`));
  return { ok: true, host: h };
}
