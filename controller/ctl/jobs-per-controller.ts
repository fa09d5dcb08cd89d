import * as z from 'zod';
import type { CliIo } from '../../shared/cli/io.js';
import { exitCodeFor, type XhError } from '../../shared/errors.js';
import { CancelAnswerSchema, type CancelAnswer } from '../../shared/protocol/ctl-cancel.js';
import { err, ok, type Result } from '../../shared/result.js';
import { jsonLine, printable } from '../../shared/text/printable.js';
import { BIN } from './context.js';
import type { SetMember } from './controller-set.js';
import { JobsAnswerReadSchema, JobsListingSchema, listingOf, type JobsListing } from './jobs-answer.js';

/**
 * `jobs` and `cancel` with standbys configured. A job runs in the controller that started it,
 * which need not be the one the Dom0s report to now (a drain started on the standby goes on there
 * after the agents went back to the primary), so these two ask every controller instead of the
 * one chosen by who hears the Dom0s: a drain running on the standby was otherwise listed as
 * "nothing runs", and could not be cancelled.
 */

/** `xenherdctl jobs --json` with standbys: each controller's listing, the primary first; LISTING null: ERROR says why. */
export const JobsPerControllerSchema = z.strictObject({
  controllers: z.array(
    z.strictObject({
      controller: z.string(),
      role: z.enum(['primary', 'standby']),
      listing: JobsListingSchema.nullable(),
      error: z.strictObject({ code: z.string(), message: z.string() }).nullable(),
    }),
  ),
});
export type JobsPerController = z.infer<typeof JobsPerControllerSchema>;

const unreachable = (e: XhError): boolean => e.code === 'XH_ERR_CONTROLLER_UNREACHABLE';

/**
 * Every controller's jobs, asked at once, each under its own heading (never merged: each job runs
 * in one controller, the one `cancel` must reach). Exit 0 when each answered or could not be
 * reached while another answered; else the first other failure's code (a standby refusing the
 * token: its tokens.json is stale), or 87 when none answered.
 */
export async function jobsOfEach(set: readonly SetMember[], io: CliIo, json: boolean, text: (l: JobsListing) => string): Promise<number> {
  const answers = await Promise.all(set.map((m) => m.client.get('/jobs', JobsAnswerReadSchema)));
  const out: JobsPerController = {
    controllers: set.map((m, i) => {
      const r = answers[i];
      const listing = r?.ok === true ? JobsListingSchema.parse(listingOf(r.value)) : null;
      const error = r?.ok === false ? { code: r.error.code, message: r.error.message } : null;
      return { controller: m.label, role: m.role, listing, error };
    }),
  };
  if (json) io.stdout(jsonLine(out));
  else {
    io.stdout(
      out.controllers
        .map((c) => `== ${c.controller} (${c.role}) ==\n${c.listing !== null ? text(c.listing) : `not listed: ${c.error?.code}: ${printable(c.error?.message ?? '')}\n`}`)
        .join('\n'),
    );
  }
  const failures = answers.flatMap((r, i) => (r.ok ? [] : [{ label: set[i]?.label ?? '?', error: r.error }]));
  for (const f of failures) io.stderr(`${BIN}: ${f.error.code}: ${f.label}: ${printable(f.error.message)}\n`);
  const refusal = failures.find((f) => !unreachable(f.error));
  if (refusal !== undefined) return exitCodeFor(refusal.error.code);
  return failures.length === set.length ? exitCodeFor('XH_ERR_CONTROLLER_UNREACHABLE') : 0;
}

/**
 * Cancels JOBID in whichever controller runs it, asking each in turn (the primary first): one
 * that runs no such job, or cannot be reached, passes to the next; any other refusal ends it.
 */
export async function cancelOnEach(set: readonly SetMember[], jobId: string): Promise<Result<{ answer: CancelAnswer; label: string }, XhError>> {
  const missed: string[] = [];
  let down: XhError | null = null;
  for (const m of set) {
    const r = await m.client.post('/jobs/cancel', { jobId }, CancelAnswerSchema);
    if (r.ok) return ok({ answer: r.value, label: m.label });
    if (r.error.code === 'XH_ERR_NOT_FOUND') missed.push(m.label);
    else if (unreachable(r.error)) {
      missed.push(`${m.label} (unreachable: ${r.error.message})`);
      down ??= r.error;
    } else return err({ ...r.error, message: `${m.label}: ${r.error.message}` });
  }
  const message = `no job ${jobId} runs in ${missed.join(', nor in ')} (\`xenherdctl jobs\` lists each controller's)`;
  // one not reached may run it: that is no "no such job"
  return err({ code: down !== null ? down.code : 'XH_ERR_NOT_FOUND', message });
}
