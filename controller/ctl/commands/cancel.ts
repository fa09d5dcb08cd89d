import type { CliIo } from '../../../shared/cli/io.js';
import { CancelAnswerSchema, CancelRequestSchema } from '../../../shared/protocol/ctl-jobs.js';
import { printable } from '../../../shared/text/printable.js';
import { begin, wantsJson, type CtlHooks } from '../context.js';
import { CANCEL_USAGE } from '../help/cancel.js';
import { failJob } from '../job-follow.js';

/**
 * `xenherdctl cancel JOB`: the deliberate stop of a job, for an operator who did not start it (a
 * xenherdctl that attached to it stops only watching at Ctrl-C) or whose terminal is gone.
 */
export async function cancel(argv: readonly string[], io: CliIo, hooks: CtlHooks): Promise<number> {
  const inv = begin(argv, io, hooks, [], [1, 1], CANCEL_USAGE, (a) =>
    CancelRequestSchema.safeParse({ jobId: a.positionals[0] }).success ? null : `${JSON.stringify(a.positionals[0])} is not a job id (job-…, as the job's first line names it); usage: xenherdctl ${CANCEL_USAGE}`,
  );
  if (!inv.ok) return failJob(inv.error, io, wantsJson(argv));
  const { args, json, client } = inv.value;
  const jobId = args.positionals[0] as string;
  const r = await client.post('/jobs/cancel', { jobId }, CancelAnswerSchema);
  if (!r.ok) return failJob(r.error, io, json);
  if (json) io.stdout(`${JSON.stringify(r.value)}\n`);
  else io.stdout(`${printable(r.value.jobId)} stops: no new moves; ${r.value.inFlight} running move(s) finish, and whoever follows it sees its end\n`);
  return 0;
}
