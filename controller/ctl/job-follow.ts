import type { CliIo } from '../../shared/cli/io.js';
import { exitCodeFor, type XhError } from '../../shared/errors.js';
import type { JobRequest } from '../../shared/protocol/ctl-jobs.js';
import { CancelAnswerSchema } from '../../shared/protocol/ctl-cancel.js';
import { JobEventReadSchema, type JobEndAsRead, type JobEventAsRead } from '../../shared/protocol/ctl-jobs-read.js';
import { jsonLine, printable } from '../../shared/text/printable.js';
import type { CtlClient, EventStream } from './client.js';
import { BIN, type CtlHooks } from './context.js';
import { FollowDeadline } from './follow-deadline.js';
import { ProgressView } from './progress-view.js';
import { RollReboots } from './roll-reboots.js';

/**
 * The exit codes of the orchestration commands (drain, restore, rebalance, roll, maintenance,
 * plan): 0 only when the goal holds; 1 when it does not (what remains, and why, is printed);
 * 2 for a usage or configuration error; XH_ERR_TIMEOUT's own code (90) when --timeout ran out;
 * the controller's reachability and token errors keep their codes (87, 88, 89).
 */
export const EXIT_NOT_DONE = 1;
export const EXIT_USAGE = 2;

export function exitFor(e: XhError): number {
  if (e.code === 'XH_ERR_USAGE' || e.code === 'XH_ERR_CONFIG') return EXIT_USAGE;
  if (e.code === 'XH_ERR_TIMEOUT' || e.code === 'XH_ERR_CONTROLLER_UNREACHABLE' || e.code === 'XH_ERR_AUTH' || e.code === 'XH_ERR_PROTOCOL') return exitCodeFor(e.code);
  return EXIT_NOT_DONE;
}

/** POST /v1/jobs streams these, `end` last; a plan event lists every move of a drain: a few MB at most. */
const JOB_EVENTS: EventStream<JobEventAsRead, JobEndAsRead> = { schema: JobEventReadSchema, isLast: (e): e is JobEndAsRead => e.type === 'end', what: 'a job event', maxLineChars: 16 * 1024 * 1024 };

/** The controller went away mid-job (killed, restarted, the network): nothing says the job still runs. */
export const closedMidJob = (kind: string, standbys = false): string =>
  `the connection to the controller closed before the ${kind} ended: the controller could not be reached any more, so whether the ${kind} goes on is unknown; ` +
  (standbys
    ? // the standby refuses until the dead controller's lease lapses: said here, so that refusal is expected, not a new fault
      `run the same command again: with this controller still gone, it goes to a standby, which continues the ${kind} once this controller's hold on the Dom0s has lapsed (its lease: 60 s; until then it refuses with XH_ERR_LOCKED, saying how many seconds are left)`
    : `run the same command again when the controller is back, to follow the ${kind} (or resume it)`);

/** A job the controller's own stop cut ends XH_ERR_CONTROLLER_UNREACHABLE: 87, as when its stream closes with no end line. */
export const exitForEnd = (end: JobEndAsRead): number => (end.ok ? 0 : end.code === 'XH_ERR_TIMEOUT' || end.code === 'XH_ERR_CONTROLLER_UNREACHABLE' ? exitCodeFor(end.code) : EXIT_NOT_DONE);

/** An error of an orchestration command: on stderr (and as JSON with --json), with its exit code. */
export function failJob(e: XhError, io: CliIo, json: boolean): number {
  if (json) io.stdout(jsonLine({ error: e }));
  io.stderr(`${BIN}: ${e.code}: ${printable(e.message)}\n`);
  return exitFor(e);
}

/** The exit code of a xenherdctl that stopped watching a job that goes on (Ctrl-C), as a shell's 128 + SIGINT. */
export const EXIT_STOPPED_WATCHING = 130;

/**
 * Said by a xenherdctl that attached to a job already running when Ctrl-C stops it watching: the
 * job is someone else's (or an earlier terminal's), so what it is and how to stop it on purpose.
 */
export const stoppedWatching = (e: Extract<JobEventAsRead, { type: 'job' }>): string =>
  `${BIN}: ${printable(`stopped watching ${e.kind}${e.hosts.length > 0 ? ` ${e.hosts.join(' ')}` : ''} (${e.jobId}, started by ${e.by}): this xenherdctl attached to it while it ran, so Ctrl-C here does not stop it; it goes on in the controller. To stop it: ${BIN} cancel ${e.jobId}`)}\n`;

/**
 * How long a Ctrl-C that came before the controller named the job waits for that name: the start
 * request is out, so the job may be running, and only its `job` event says whether this xenherdctl
 * started it (then the Ctrl-C cancels it) or attached to it (then it only stops watching).
 */
export const NAMING_WAIT_MS = 10_000;

/** Said when Ctrl-C ends a xenherdctl before the controller named the job it asked for (WHY: what happened). */
export const unnamedJob = (req: JobRequest, why: string): string =>
  `${BIN}: stopped before the controller named the ${req.kind} it was asked for (${why}): it may have started it and run it without you. ` +
  `\`${BIN} jobs\` lists the jobs the controller runs; \`${BIN} cancel JOB\` stops one\n`;

/**
 * Starts REQ on the controller and follows it to its end: live progress (or NDJSON with --json).
 * Ctrl-C in the xenherdctl that started the job cancels it (nothing new starts, running migrations
 * finish, the command waits for them), twice stops following (130; the job goes on without this
 * terminal). One that attached to the same job already running (the `job` event's `attached`,
 * sent by every controller that runs jobs) only stops following at Ctrl-C (130): a second operator
 * watching must not stop a colleague's drain; `xenherdctl cancel JOB` does that on purpose. A Ctrl-C
 * before the `job` event waits for it (NAMING_WAIT_MS at most): going away at once left a job the
 * request had started running, its starter believing it stopped. For a roll, a `reboot` event runs
 * the reboot command once per host (roll-reboots.ts says when not). --timeout bounds a follower of
 * a job already running too (follow-deadline.ts).
 */
export async function followJob(client: CtlClient, io: CliIo, hooks: CtlHooks, req: JobRequest, json: boolean, rebootCommand: readonly string[] | null = null): Promise<number> {
  const view = json ? null : new ProgressView(io, hooks.isTty === true, () => hooks.clock.now());
  const abort = new AbortController();
  let jobId: string | null = null;
  let attachedTo: Extract<JobEventAsRead, { type: 'job' }> | null = null;
  let interrupts = 0;
  /** a Ctrl-C came before the `job` event: it is acted on when that event names the job */
  let stopAsked = false;
  let stopWaiting: () => void = () => undefined;
  let giveUp: (code: number) => void = () => undefined;
  const gaveUp = new Promise<number>((r) => (giveUp = r));
  const stopFollowing = (): void => {
    // the exit code first, as for the deadline below: the aborted stream must not win as 87
    giveUp(EXIT_STOPPED_WATCHING);
    abort.abort();
  };
  const cancelOwn = (id: string): void => {
    io.stderr(`${BIN}: stopping ${req.kind}: no new migrations; running ones finish (${printable(id)}; Ctrl-C again to stop watching: the job then goes on without you, and \`${BIN} jobs\` lists it)\n`);
    void client.post('/jobs/cancel', { jobId: id }, CancelAnswerSchema).then((r) => {
      if (!r.ok) io.stderr(`${BIN}: the controller did not take the cancel of ${printable(id)} (${r.error.code}: ${printable(r.error.message)}): if it still runs, \`${BIN} cancel ${printable(id)}\` stops it\n`);
    });
  };
  /** the `job` event after a Ctrl-C that came before it */
  const named = (e: Extract<JobEventAsRead, { type: 'job' }>): void => {
    stopAsked = false;
    stopWaiting();
    if (!e.attached) return cancelOwn(e.jobId);
    io.stderr(stoppedWatching(e));
    stopFollowing();
  };
  const offInterrupt =
    hooks.onInterrupt?.(() => {
      interrupts++;
      if (jobId === null && interrupts === 1) {
        stopAsked = true;
        io.stderr(`${BIN}: stopping ${req.kind}: waiting up to ${NAMING_WAIT_MS / 1000} s for the controller to name the job this command asked for, to cancel it if this xenherdctl started it (Ctrl-C again to stop waiting)\n`);
        stopWaiting = hooks.clock.schedule(NAMING_WAIT_MS, () => {
          io.stderr(unnamedJob(req, `no word from it within ${NAMING_WAIT_MS / 1000} s of Ctrl-C`));
          stopFollowing();
        });
        return;
      }
      if (jobId === null) {
        stopWaiting();
        io.stderr(unnamedJob(req, 'Ctrl-C again while waiting for it'));
        return stopFollowing();
      }
      if (attachedTo === null && interrupts === 1) return cancelOwn(jobId);
      if (attachedTo !== null) io.stderr(stoppedWatching(attachedTo));
      stopFollowing();
    }) ?? (() => undefined);
  let ticking = hooks.isTty === true && !json;
  const tick = (): void => {
    if (!ticking) return;
    hooks.clock.schedule(1_000, () => {
      view?.tick();
      tick();
    });
  };
  tick();
  const reboots = new RollReboots(io, rebootCommand, hooks.runCommand);
  const deadline = new FollowDeadline(hooks.clock, req, (e) => {
    // the exit code first: the aborted stream ends too, and must not win the race as code 87
    giveUp(failJob(e, io, json));
    abort.abort();
  });
  try {
    const r = client.stream(
      '/jobs',
      req,
      JOB_EVENTS,
      (e) => {
        if (e.type === 'job') {
          jobId = e.jobId;
          attachedTo = e.attached ? e : null;
          if (stopAsked) named(e);
        }
        if (json) io.stdout(jsonLine(e));
        else view?.event(e);
        reboots.event(e);
        deadline.event(e);
      },
      { code: 'XH_ERR_CONTROLLER_UNREACHABLE', message: closedMidJob(req.kind, client.hasStandbys === true) },
      abort.signal,
    );
    const outcome = await Promise.race([r, gaveUp]);
    if (typeof outcome === 'number') return outcome;
    await reboots.settled();
    if (!outcome.ok) return failJob(outcome.error, io, json);
    return exitForEnd(outcome.value);
  } finally {
    ticking = false;
    stopWaiting();
    deadline.stop();
    offInterrupt();
  }
}
