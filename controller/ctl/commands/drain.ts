import type { CliIo } from '../../../shared/cli/io.js';
import type { Command } from '../../../shared/cli/program.js';
import { HOST_NAME_RE } from '../../../shared/names.js';
import { PlanSchema, type PlanRequest } from '../../../shared/protocol/ctl-jobs.js';
import type { CtlClient } from '../client.js';
import { begin, wantsJson, type CtlHooks } from '../context.js';
import { parseDuration } from '../duration.js';
import { EXIT_NOT_DONE, failJob, followJob } from '../job-follow.js';
import { optionValue } from '../options.js';
import { planComplete, planText } from '../plan-table.js';

export const EXIT_HELP = [
  'exit: 0 the goal holds; 1 it does not (what remains is listed, each with why); 2 usage or',
  '      configuration error; 90 --timeout ran out; 87 controller unreachable; 88 token refused',
].join('\n');

/** A plan from the controller, printed (table, or JSON); exit 0 when it reaches its goal as it stands. */
export async function showPlan(client: CtlClient, io: CliIo, req: PlanRequest, json: boolean): Promise<number> {
  const r = await client.post('/plan', req, PlanSchema);
  if (!r.ok) return failJob(r.error, io, json);
  io.stdout(json ? `${JSON.stringify(r.value)}\n` : planText(r.value));
  return planComplete(r.value) ? 0 : EXIT_NOT_DONE;
}

/** --timeout DURATION as ms (null: none), or a usage error. */
export function timeoutOf(value: string | undefined): { ok: true; ms: number | null } | { ok: false; message: string } {
  if (value === undefined) return { ok: true, ms: null };
  const ms = parseDuration(value);
  return ms === null || ms <= 0 ? { ok: false, message: `--timeout ${JSON.stringify(value)} is not a duration (e.g. 30m, 1h30m, 90s)` } : { ok: true, ms };
}

export function positiveInt(value: string | undefined, name: string, max: number): { ok: true; n: number | null } | { ok: false; message: string } {
  if (value === undefined) return { ok: true, n: null };
  const n = Number(value);
  return Number.isInteger(n) && n >= 1 && n <= max ? { ok: true, n } : { ok: false, message: `--${name} ${JSON.stringify(value)}: a whole number from 1 to ${max}` };
}

const DRAIN_USAGE = 'drain HOST [--max-parallel N] [--cold-fallback] [--allow-partial] [--timeout DURATION] [--dry-run] [--json]';

async function drain(argv: readonly string[], io: CliIo, hooks: CtlHooks): Promise<number> {
  const inv = begin(
    argv,
    io,
    hooks,
    [
      { name: 'max-parallel', takesValue: true },
      { name: 'cold-fallback', takesValue: false },
      { name: 'allow-partial', takesValue: false },
      { name: 'timeout', takesValue: true },
      { name: 'dry-run', takesValue: false },
    ],
    [1, 1],
    DRAIN_USAGE,
  );
  if (!inv.ok) return failJob(inv.error, io, wantsJson(argv));
  const { args, json, client } = inv.value;
  const host = args.positionals[0] as string;
  if (!HOST_NAME_RE.test(host)) return failJob({ code: 'XH_ERR_USAGE', message: `${JSON.stringify(host)} is not a host name` }, io, json);
  const t = timeoutOf(optionValue(args, 'timeout'));
  if (!t.ok) return failJob({ code: 'XH_ERR_USAGE', message: t.message }, io, json);
  const p = positiveInt(optionValue(args, 'max-parallel'), 'max-parallel', 64);
  if (!p.ok) return failJob({ code: 'XH_ERR_USAGE', message: p.message }, io, json);
  if (args.options['dry-run'] === true) return showPlan(client, io, { kind: 'drain', hosts: [host] }, json);
  return followJob(client, io, hooks, { kind: 'drain', host, maxParallel: p.n, coldFallback: args.options['cold-fallback'] === true, allowPartial: args.options['allow-partial'] === true, timeoutMs: t.ms }, json);
}

const RESTORE_USAGE = 'restore HOST [--timeout DURATION] [--dry-run] [--json]';

async function restore(argv: readonly string[], io: CliIo, hooks: CtlHooks): Promise<number> {
  const inv = begin(argv, io, hooks, [{ name: 'timeout', takesValue: true }, { name: 'dry-run', takesValue: false }], [1, 1], RESTORE_USAGE);
  if (!inv.ok) return failJob(inv.error, io, wantsJson(argv));
  const { args, json, client } = inv.value;
  const host = args.positionals[0] as string;
  if (!HOST_NAME_RE.test(host)) return failJob({ code: 'XH_ERR_USAGE', message: `${JSON.stringify(host)} is not a host name` }, io, json);
  const t = timeoutOf(optionValue(args, 'timeout'));
  if (!t.ok) return failJob({ code: 'XH_ERR_USAGE', message: t.message }, io, json);
  if (args.options['dry-run'] === true) return showPlan(client, io, { kind: 'restore', host }, json);
  return followJob(client, io, hooks, { kind: 'restore', host, timeoutMs: t.ms }, json);
}

export const drainCommand = (hooks: CtlHooks): Command => ({
  name: 'drain',
  summary: 'Empty HOST for maintenance: every domU to a host holding its replica; then HOST is in maintenance.',
  usage: DRAIN_USAGE,
  help: [
    'Plans first: every domU on HOST gets a target holding a replica of all its DRBD resources, online, with',
    'room (keeping the reserve free), spread over the targets. A drain that cannot finish is refused before',
    'anything changes, unless --allow-partial. Then HOST is draining (never a target, its guarded autostart',
    'starts nothing), the domUs move (at most 1 out of HOST, 1 into each target and 2 in the fleet at once;',
    '--max-parallel N allows N out of HOST and N in the fleet), and once its agent reports nothing running',
    'HOST is in maintenance. Failed migrations are retried (3 attempts); an unclear ending is settled by',
    'asking both hosts first. --cold-fallback shuts a domU down and starts it on the target when live',
    'migration keeps failing. A drain that cannot finish leaves HOST draining and says what remains.',
    'Run it again to continue (also after a controller restart). Ctrl-C: no new moves, running ones finish.',
    '',
    `usage: xenherdctl ${DRAIN_USAGE}`,
    '  --dry-run   print the plan, change nothing (exit 1 if it cannot finish)',
    '  --timeout   e.g. 30m, 1h30m: stop starting moves after this long (exit 90)',
    EXIT_HELP,
    '',
  ].join('\n'),
  run: (argv, io) => drain(argv, io, hooks),
});

export const restoreCommand = (hooks: CtlHooks): Command => ({
  name: 'restore',
  summary: "Bring every domU whose home is HOST back to it (from the agents' ledgers), then HOST is online.",
  usage: RESTORE_USAGE,
  help: [
    "Brings home every domU whose home is HOST and that runs elsewhere: the agents' homes and ledgers",
    'merged, manual moves included. Visitors parked on HOST are sent to their own homes first when HOST',
    'lacks room. Pass after pass while anything still moves; what stays away is listed with its reason.',
    'HOST is online at the end.',
    '',
    `usage: xenherdctl ${RESTORE_USAGE}`,
    EXIT_HELP,
    '',
  ].join('\n'),
  run: (argv, io) => restore(argv, io, hooks),
});
