import type { CliIo } from '../../../shared/cli/io.js';
import type { Command } from '../../../shared/cli/program.js';
import { HOST_NAME_RE } from '../../../shared/names.js';
import { begin, wantsJson, type CtlHooks } from '../context.js';
import { failJob, followJob } from '../job-follow.js';
import { EXIT_HELP } from './drain.js';

const MAINTENANCE_USAGE = 'maintenance HOST on|off [--json]';

async function maintenance(argv: readonly string[], io: CliIo, hooks: CtlHooks): Promise<number> {
  const inv = begin(argv, io, hooks, [], [2, 2], MAINTENANCE_USAGE);
  if (!inv.ok) return failJob(inv.error, io, wantsJson(argv));
  const { args, json, client } = inv.value;
  const [host, word] = args.positionals as [string, string];
  if (!HOST_NAME_RE.test(host)) return failJob({ code: 'XH_ERR_USAGE', message: `${JSON.stringify(host)} is not a host name` }, io, json);
  if (word !== 'on' && word !== 'off') return failJob({ code: 'XH_ERR_USAGE', message: `usage: xenherdctl ${MAINTENANCE_USAGE}` }, io, json);
  return followJob(client, io, hooks, { kind: 'maintenance', host, on: word === 'on' }, json);
}

export const maintenanceCommand = (hooks: CtlHooks): Command => ({
  name: 'maintenance',
  summary: "Set HOST's maintenance flag on (only when nothing runs there) or off (back online).",
  usage: MAINTENANCE_USAGE,
  help: [
    "Sets HOST's maintenance flag, kept by its agent across restarts and reboots. `on` is refused while any",
    'domU runs there (`xenherdctl drain HOST` empties it and sets maintenance). `off` puts HOST back online',
    'whatever its state (a failed drain included) without moving anything (`restore HOST` also brings its',
    'domUs home); it is refused while a job of this controller works on HOST.',
    '',
    `usage: xenherdctl ${MAINTENANCE_USAGE}`,
    EXIT_HELP,
    '',
  ].join('\n'),
  run: (argv, io) => maintenance(argv, io, hooks),
});
