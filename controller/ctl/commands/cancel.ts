import type { CliIo } from '../../../shared/cli/io.js';
import { CancelAnswerSchema, CancelRequestSchema, type CancelAnswer } from '../../../shared/protocol/ctl-cancel.js';
import { jsonLine, printable } from '../../../shared/text/printable.js';
import { stoppingAlreadyWords } from '../../../shared/text/cancel-words.js';
import { begin, wantsJson, type CtlHooks } from '../context.js';
import { controllerSet } from '../controller-set.js';
import { CANCEL_USAGE } from '../help/cancel.js';
import { failJob } from '../job-follow.js';
import { cancelOnEach } from '../jobs-per-controller.js';

/**
 * `xenherdctl cancel JOB`: the deliberate stop of a job, for an operator who did not start it (a
 * xenherdctl that attached to it stops only watching at Ctrl-C) or whose terminal is gone.
 */
export async function cancel(argv: readonly string[], io: CliIo, hooks: CtlHooks): Promise<number> {
  const inv = begin(argv, io, hooks, [], [1, 1], CANCEL_USAGE, (a) =>
    CancelRequestSchema.safeParse({ jobId: a.positionals[0] }).success ? null : `${JSON.stringify(a.positionals[0])} is not a job id (job-…, as the job's first line names it); usage: xenherdctl ${CANCEL_USAGE}`,
  );
  if (!inv.ok) return failJob(inv.error, io, wantsJson(argv));
  const { args, json, client, config } = inv.value;
  const jobId = args.positionals[0] as string;
  const said = (a: CancelAnswer, where: string): number => {
    if (json) io.stdout(jsonLine(a));
    else if (a.already !== undefined) io.stdout(`${printable(stoppingAlreadyWords(a.jobId, a.already))}${where}\n`);
    else io.stdout(`${printable(a.jobId)} stops${where}: no new moves; ${a.inFlight} running move(s) finish, and whoever follows it sees its end\n`);
    return 0;
  };
  // with standbys, the job runs in one of them, not necessarily the one that hears the Dom0s now
  if ((config.standbyUrls ?? []).length > 0) {
    const each = await cancelOnEach(controllerSet(config, hooks.clock), jobId);
    return each.ok ? said(each.value.answer, ` (it runs in ${each.value.label})`) : failJob(each.error, io, json);
  }
  const r = await client.post('/jobs/cancel', { jobId }, CancelAnswerSchema);
  return r.ok ? said(r.value, '') : failJob(r.error, io, json);
}
