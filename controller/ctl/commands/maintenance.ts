import type { CliIo } from '../../../shared/cli/io.js';
import { hostNameProblem } from '../../../shared/names.js';
import { begin, wantsJson, type CtlHooks } from '../context.js';
import { MAINTENANCE_USAGE } from '../help/maintenance.js';
import { failJob, followJob } from '../job-follow.js';

export async function maintenance(argv: readonly string[], io: CliIo, hooks: CtlHooks): Promise<number> {
  const inv = begin(argv, io, hooks, [], [2, 2], MAINTENANCE_USAGE);
  if (!inv.ok) return failJob(inv.error, io, wantsJson(argv));
  const { args, json, client } = inv.value;
  const [host, word] = args.positionals as [string, string];
  const badHost = hostNameProblem(host);
  if (badHost !== null) return failJob({ code: 'XH_ERR_USAGE', message: badHost }, io, json);
  client.needs([host]);
  if (word !== 'on' && word !== 'off') return failJob({ code: 'XH_ERR_USAGE', message: `${JSON.stringify(word)} is not on or off; usage: xenherdctl ${MAINTENANCE_USAGE}` }, io, json);
  return followJob(client, io, hooks, { kind: 'maintenance', host, on: word === 'on' }, json);
}
