import type { CliIo } from '../../shared/cli/io.js';
import { exitCodeFor, type XhError } from '../../shared/errors.js';
import { CancelAnswerSchema, JobEventSchema, type JobEnd, type JobEvent, type JobRequest } from '../../shared/protocol/ctl-jobs.js';
import { printable } from '../../shared/text/printable.js';
import type { CtlClient, EventStream } from './client.js';
import { BIN, type CtlHooks } from './context.js';
import { ProgressView } from './progress-view.js';

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
const JOB_EVENTS: EventStream<JobEvent, JobEnd> = { schema: JobEventSchema, isLast: (e): e is JobEnd => e.type === 'end', what: 'a job event', maxLineChars: 16 * 1024 * 1024 };

export const exitForEnd = (end: JobEnd): number => (end.ok ? 0 : end.code === 'XH_ERR_TIMEOUT' ? exitCodeFor('XH_ERR_TIMEOUT') : EXIT_NOT_DONE);

/** An error of an orchestration command: on stderr (and as JSON with --json), with its exit code. */
export function failJob(e: XhError, io: CliIo, json: boolean): number {
  if (json) io.stdout(`${JSON.stringify({ error: e })}\n`);
  io.stderr(`${BIN}: ${e.code}: ${printable(e.message)}\n`);
  return exitFor(e);
}

/** `--reboot-command 'ssh root@{host} reboot'`: the words, {host} replaced (or the host appended). */
export const rebootArgv = (words: readonly string[], host: string): string[] => (words.some((w) => w.includes('{host}')) ? words.map((w) => w.replaceAll('{host}', host)) : [...words, host]);

/**
 * Starts REQ on the controller and follows it to its end: live progress (or NDJSON with --json),
 * Ctrl-C once cancels (nothing new starts, running migrations finish, the command waits for them),
 * twice stops following (130; the job goes on without this terminal). For a roll, each `reboot`
 * event runs the reboot command once per host.
 */
export async function followJob(client: CtlClient, io: CliIo, hooks: CtlHooks, req: JobRequest, json: boolean, rebootCommand: readonly string[] | null = null): Promise<number> {
  const view = json ? null : new ProgressView(io, hooks.isTty === true, () => hooks.clock.now());
  const abort = new AbortController();
  let jobId: string | null = null;
  let interrupts = 0;
  let giveUp: (code: number) => void = () => undefined;
  const gaveUp = new Promise<number>((r) => (giveUp = r));
  const offInterrupt =
    hooks.onInterrupt?.(() => {
      interrupts++;
      if (interrupts === 1 && jobId !== null) {
        io.stderr(`${BIN}: stopping ${req.kind}: no new migrations; running ones finish (Ctrl-C again to stop watching: the job then goes on without you)\n`);
        void client.post('/jobs/cancel', { jobId }, CancelAnswerSchema);
        return;
      }
      abort.abort();
      giveUp(130);
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
  const reboots: Promise<void>[] = [];
  try {
    const r = client.stream(
      '/jobs',
      req,
      JOB_EVENTS,
      (e) => {
        if (e.type === 'job') jobId = e.jobId;
        if (json) io.stdout(`${JSON.stringify(e)}\n`);
        else view?.event(e);
        if (e.type === 'reboot' && rebootCommand !== null && rebootCommand.length > 0 && hooks.runCommand) {
          for (const host of e.hosts) {
            const argv = rebootArgv(rebootCommand, host);
            reboots.push(
              hooks.runCommand(argv).then((code) => {
                // `ssh HOST reboot` often ends 255 when the connection drops: only a warning
                if (code !== 0) io.stderr(`${BIN}: warning: ${argv.join(' ')} exited ${code}; still waiting for ${host} to come back\n`);
              }),
            );
          }
        }
      },
      { code: 'XH_ERR_CONTROLLER_UNREACHABLE', message: `the connection to the controller closed before the ${req.kind} ended: it goes on there; run the same command again to follow it` },
      abort.signal,
    );
    const outcome = await Promise.race([r, gaveUp]);
    if (typeof outcome === 'number') return outcome;
    await Promise.all(reboots);
    if (!outcome.ok) return failJob(outcome.error, io, json);
    return exitForEnd(outcome.value);
  } finally {
    ticking = false;
    offInterrupt();
  }
}
