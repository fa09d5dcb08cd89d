import type { Maintenance } from '../../shared/protocol/agent-link-state.js';
import type { JobEnd, JobEvent, JobKind } from '../../shared/protocol/ctl-jobs.js';
import { MAINTENANCE_WORDS } from '../../shared/text/maintenance-words.js';
import { JobTally } from './job-tally.js';
import type { StopReason } from './move-scheduler.js';

const HISTORY = 2_000;

/** What event E says the job does now, for `xenherdctl jobs`; null for a move (the tally counts those) and the rest. */
function stepOf(e: JobEvent): string | null {
  switch (e.type) {
    case 'plan':
      return e.plan.kind === 'roll' ? `planned ${e.plan.groups.length} group(s)` : `planned ${e.plan.sets.flat().length} move(s)`;
    case 'note':
      return e.line;
    case 'host':
      return `${e.host}: ${MAINTENANCE_WORDS[e.maintenance.state]}`;
    case 'reboot':
      return `waiting for ${e.hosts.join(', ')} to reboot`;
    default:
      return null;
  }
}

/** A host's maintenance flag a job lost: the agent's words, and the flag as it answered (null: not said). */
export interface LostFlag {
  readonly host: string;
  readonly why: string;
  readonly flag: Maintenance | null;
}

/**
 * One running job as its followers see it: its events (kept, so an operator who asks for the
 * same job again is shown what happened so far), its stop request, and its end.
 */
export class JobRun {
  operationId: string | null = null;
  stopReason: StopReason | null = null;
  /** when and by which operator the cancel that stopped it was asked; null: not cancelled */
  cancelAsked: { readonly at: number; readonly by: string } | null = null;
  ended: JobEnd | null = null;
  /** the maintenance flag this job lost, which stopped it ('aborted'): its end says who has it now */
  lostFlag: LostFlag | null = null;
  /** refused before it changed anything (job-env.ts refusal): its end is kept in no list of ended jobs */
  refused = false;
  /** its latest step in words (stepOf), for whoever lists the jobs */
  step: string | null = null;
  /** how many moves run now (set by the job's scheduler) */
  inFlight: () => number = () => 0;
  /** its moves so far, for the controller's metrics */
  readonly tally = new JobTally();
  private readonly history: JobEvent[] = [];
  private readonly followers = new Set<(e: JobEvent) => void>();
  private readonly stopHandlers = new Set<(why: StopReason) => void>();

  constructor(
    readonly id: string,
    readonly kind: JobKind,
    readonly hosts: readonly string[],
    readonly by: string,
    readonly startedAt: number,
  ) {}

  emit(e: JobEvent): void {
    if (this.ended) return;
    this.tally.event(e);
    this.step = stepOf(e) ?? this.step;
    if (e.type === 'end') this.ended = e;
    this.history.push(e);
    // keep the head (job, plan) and the most recent events
    if (this.history.length > HISTORY) this.history.splice(2, this.history.length - HISTORY);
    for (const f of [...this.followers]) f(e);
  }

  /** Replays what happened so far (the `job` event marked attached), then follows. */
  follow(f: (e: JobEvent) => void, attached: boolean): () => void {
    for (const e of this.history) f(e.type === 'job' ? { ...e, attached } : e);
    if (this.ended) return () => undefined;
    this.followers.add(f);
    return () => this.followers.delete(f);
  }

  /** A host's flag is no longer this job's (a renewal refused): said on the stream, and the job stops. */
  loseFlag(lost: LostFlag): void {
    this.emit({ type: 'note', level: 'warn', line: lost.why });
    this.lostFlag ??= lost;
    this.stop('aborted');
  }

  stop(why: StopReason): void {
    if (this.stopReason !== null || this.ended) return;
    this.stopReason = why;
    for (const h of [...this.stopHandlers]) h(why);
  }

  onStop(h: (why: StopReason) => void): () => void {
    if (this.stopReason !== null) h(this.stopReason);
    this.stopHandlers.add(h);
    return () => this.stopHandlers.delete(h);
  }
}

/**
 * What a refusal says of JOB, already at work on ON: how to stop it. Not Ctrl-C: run again, the
 * same command only follows the job, and a Ctrl-C there stops the watching, not the job.
 */
export function busyWords(job: JobRun, on: string): string {
  const what = `a ${job.kind} job (${job.id}, by ${job.by}) already works on ${on}`;
  if (job.stopReason !== null) return `${what} and is stopping (${job.stopReason}): its running moves finish first; run this again once \`xenherdctl jobs\` lists it as ended`;
  return `${what}: wait for it (\`xenherdctl jobs\`) or stop it: \`xenherdctl cancel ${job.id}\` (no new moves; running ones finish)`;
}
