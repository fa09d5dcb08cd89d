import type { StoppingAlready } from '../protocol/ctl-cancel.js';
import type { FinishedJob } from '../protocol/ctl-jobs.js';
import { utcSecondText } from './utc-time.js';

/**
 * A job cancelled on purpose (`xenherdctl cancel`, or Ctrl-C in the xenherdctl that started it),
 * in the words the controller tells the job's followers and the words xenherdctl ends it with. The
 * job's end keeps its error code for --json and scripts (older xenherdctls read it), marked
 * `cancelled: true` beside it so a script tells a stop asked for from a refusal; a person who asked
 * for the stop reads it as what was asked for, not as "XH_ERR_REFUSED", which reads as a refusal.
 */
const NOTE_START = 'cancelled by ';

/** The note a job's followers get when it is cancelled; WHOSE: who started it, when not OPERATOR. */
export const cancelNote = (operator: string, startedBy: string | null, inFlight: number): string =>
  `${NOTE_START}${operator}${startedBy === null ? '' : ` (it was started by ${startedBy})`}: no new moves; ${inFlight} running move(s) finish`;

/** Whether a job's note is the one cancelNote makes (its level warn). */
export const isCancelNote = (level: string, line: string): boolean => level === 'warn' && line.startsWith(NOTE_START);

/**
 * The end of a cancelled job as the controller tells it (its followers, `xenherdctl jobs`, the
 * journal): opened by "the KIND was cancelled: " as a drain's own ending is, so a restore ("xen1
 * is online; 3 domU(s) of it are not home …"), a rebalance or a roll stopped on purpose says so
 * and is not read as a plain failure. An ending that says it already (a drain's, a roll's "… when
 * the roll was cancelled, after …") is kept as it is.
 */
export function cancelledEnding(kind: string, message: string): string {
  return message.includes(`${kind} was cancelled`) ? message : `the ${kind} was cancelled: ${message}`;
}

/**
 * The end of a cancelled job for people: "cancelled" and what the job says it left, without a
 * leading "the drain was cancelled" of its own, which would say it twice ("cancelled: 2 domU(s)
 * remain …", "cancelled while it planned: nothing was changed").
 */
export function cancelledEndText(kind: string, message: string): string {
  const own = `the ${kind} was `;
  if (message.startsWith(`${own}cancelled`)) return message.slice(own.length);
  return `cancelled: ${message}`;
}

/** How a job that ended is said; FinishedJob's STOPREASON and OK as `xenherdctl jobs` lists them. */
const ENDING: Readonly<Record<string, string>> = { cancelled: 'was cancelled', timeout: 'ran out of its --timeout', aborted: 'was stopped by a controller shutdown' };

/**
 * The answer to a cancel of JOBID that no job of this controller runs: one that ended here says so,
 * with how and when ("job-… already ended: it was cancelled, at 04:55:10 UTC: 2 domU(s) remain on
 * xen1 …"), as a second `xenherdctl cancel` of it expects; else where to look.
 */
export function notRunningWords(jobId: string, ended: Pick<FinishedJob, 'ok' | 'stopReason' | 'endedAt' | 'message'> | undefined): string {
  if (ended === undefined) return `no job ${jobId} runs in this controller (\`xenherdctl jobs\` lists those that run, and how the last ones ended)`;
  const how = ended.ok ? 'it was done' : ended.stopReason === null ? 'it failed' : `it ${ENDING[ended.stopReason] ?? ended.stopReason}`;
  return `${jobId} already ended, nothing to cancel: ${how}, at ${utcSecondText(ended.endedAt)}: ${ended.message}`;
}

/** How a running job that is stopping came to stop, when not by a cancel. */
const STOPPING: Readonly<Record<string, string>> = { timeout: 'it ran out of its --timeout', aborted: "it lost a host's maintenance flag", shutdown: 'the controller is shutting down' };

/**
 * The answer to a cancel of a job that was stopping already (its running moves finishing): who
 * asked when, and what it waits for ("job-… is stopping already: its cancel was asked by admin at
 * 07:33:10 UTC; it waits for its 1 running move(s) to finish (a1 xen1 → xen2), then ends"), where
 * the answer to the first cancel, said again, read as if this one had stopped it.
 */
export function stoppingAlreadyWords(jobId: string, a: StoppingAlready): string {
  const how =
    a.reason === 'cancelled'
      ? `its cancel was asked${a.by === null ? '' : ` by ${a.by}`}${a.at === null ? '' : ` at ${utcSecondText(a.at)}`}`
      : (STOPPING[a.reason] ?? `it was stopped (${a.reason})`);
  const moves = a.waitsFor.map((m) => `${m.name} ${m.from} → ${m.to}`).join(', ');
  const waits = a.waitsFor.length === 0 ? 'no move of it runs now: it ends once its last step is done' : `it waits for its ${a.waitsFor.length} running move(s) to finish (${moves}), then ends`;
  return `${jobId} is stopping already: ${how}; ${waits}; whoever follows it sees its end`;
}
