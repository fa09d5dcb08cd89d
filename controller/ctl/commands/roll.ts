import type { CliIo } from '../../../shared/cli/io.js';
import { hostNameProblem } from '../../../shared/names.js';
import { begin, wantsJson, type CtlHooks } from '../context.js';
import { ROLL_USAGE } from '../help/roll.js';
import { failJob, followJob } from '../job-follow.js';
import { MAX_JOB_HOSTS } from '../../../shared/protocol/ctl-jobs.js';
import { optionValue } from '../options.js';
import { coldOption, positiveInt, showPlan, timeoutOf, tooManyHosts } from './drain.js';

export async function roll(argv: readonly string[], io: CliIo, hooks: CtlHooks): Promise<number> {
  const inv = begin(
    argv,
    io,
    hooks,
    [
      { name: 'reboot-command', takesValue: true },
      { name: 'wait-for-reboot', takesValue: false },
      { name: 'max-parallel', takesValue: true },
      { name: 'group-size', takesValue: true },
      { name: 'cold-fallback', takesValue: false },
      { name: 'timeout', takesValue: true },
      { name: 'dry-run', takesValue: false },
    ],
    [1, Infinity],
    ROLL_USAGE,
    (a) => tooManyHosts('roll', a.positionals.length),
  );
  if (!inv.ok) return failJob(inv.error, io, wantsJson(argv));
  const { args, json, client } = inv.value;
  const hosts = [...args.positionals];
  const bad = hosts.map((h) => hostNameProblem(h)).find((p) => p !== null);
  if (bad !== undefined && bad !== null) return failJob({ code: 'XH_ERR_USAGE', message: bad }, io, json);
  client.needs(hosts);
  const command = optionValue(args, 'reboot-command');
  if (command !== undefined && args.options['wait-for-reboot'] === true) return failJob({ code: 'XH_ERR_USAGE', message: 'give --reboot-command or --wait-for-reboot, not both' }, io, json);
  const words = command?.trim().split(/\s+/).filter(Boolean) ?? null;
  if (words !== null && words.length === 0) return failJob({ code: 'XH_ERR_USAGE', message: '--reboot-command is empty' }, io, json);
  const t = timeoutOf(optionValue(args, 'timeout'));
  if (!t.ok) return failJob({ code: 'XH_ERR_USAGE', message: t.message }, io, json);
  const p = positiveInt(optionValue(args, 'max-parallel'), 'max-parallel', 64);
  if (!p.ok) return failJob({ code: 'XH_ERR_USAGE', message: p.message }, io, json);
  const g = positiveInt(optionValue(args, 'group-size'), 'group-size', MAX_JOB_HOSTS);
  if (!g.ok) return failJob({ code: 'XH_ERR_USAGE', message: g.message }, io, json);
  // sent only when given: a controller older than --group-size refuses a request carrying it
  const groupSize = g.n === null ? {} : { groupSize: g.n };
  const coldFallback = args.options['cold-fallback'] === true;
  if (args.options['dry-run'] === true) return showPlan(client, io, { kind: 'roll', hosts, ...groupSize, ...coldOption(coldFallback) }, json);
  const req = { kind: 'roll' as const, hosts, reboot: words === null ? ('wait' as const) : ('command' as const), maxParallel: p.n, coldFallback, timeoutMs: t.ms, ...groupSize };
  return followJob(client, io, hooks, req, json, words);
}
