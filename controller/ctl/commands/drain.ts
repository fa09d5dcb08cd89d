import type { CliIo } from '../../../shared/cli/io.js';
import { hostNameProblem } from '../../../shared/names.js';
import { jsonLine, printable } from '../../../shared/text/printable.js';
import { MAX_JOB_HOSTS, type PlanRequest } from '../../../shared/protocol/ctl-jobs.js';
import { PlanReadSchema } from '../../../shared/protocol/ctl-jobs-read.js';
import { PLAN_TIMEOUT_MS, type CtlClient } from '../client.js';
import { begin, wantsJson, type CtlHooks } from '../context.js';
import { bareNumberProblem, parseDuration } from '../duration.js';
import { DRAIN_USAGE, RESTORE_USAGE } from '../help/drain.js';
import { EXIT_NOT_DONE, failJob, followJob } from '../job-follow.js';
import { optionValue } from '../options.js';
import { planComplete, planText } from '../plan-table.js';

/** A plan from the controller, printed (table, or JSON); exit 0 when it reaches its goal as it stands. */
export async function showPlan(client: CtlClient, io: CliIo, req: PlanRequest, json: boolean): Promise<number> {
  const r = await client.post('/plan', req, PlanReadSchema, PLAN_TIMEOUT_MS);
  if (!r.ok) return failJob(r.error, io, json);
  io.stdout(json ? jsonLine(r.value) : planText(r.value));
  return planComplete(r.value) ? 0 : EXIT_NOT_DONE;
}

/** a plan request's --cold-fallback, sent only when given: a controller older than it refuses the key */
export const coldOption = (coldFallback: boolean): { coldFallback?: true } => (coldFallback ? { coldFallback } : {});

/**
 * --timeout DURATION as ms (null: none), or a usage error. A bare number is refused, not read as
 * seconds: the examples are all in minutes (30m, 1h30m) while the agent's own --timeout counts
 * seconds, so `--timeout 90` means 90 s to one reader and 90 min to another, and the wrong guess
 * stops a drain 60 times too early (or waits 60 times too long).
 */
export function timeoutOf(value: string | undefined): { ok: true; ms: number | null } | { ok: false; message: string } {
  if (value === undefined) return { ok: true, ms: null };
  const quoted = JSON.stringify(value);
  const bare = bareNumberProblem('timeout', value);
  if (bare !== null) return { ok: false, message: bare };
  const ms = parseDuration(value);
  if (ms === null) return { ok: false, message: `--timeout ${quoted} is not a duration (e.g. 30m, 1h30m, 90s)` };
  return ms <= 0 ? { ok: false, message: `--timeout ${quoted} must be more than 0 (e.g. 30m, 1h30m, 90s)` } : { ok: true, ms };
}

export function positiveInt(value: string | undefined, name: string, max: number): { ok: true; n: number | null } | { ok: false; message: string } {
  if (value === undefined) return { ok: true, n: null };
  const n = Number(value);
  return Number.isInteger(n) && n >= 1 && n <= max ? { ok: true, n } : { ok: false, message: `--${name} ${JSON.stringify(value)}: a whole number from 1 to ${max}` };
}

/**
 * drain and restore take one HOST, while `plan drain` and `roll` take several: asked for more, say
 * which of those does what was meant, not only the usage.
 */
function oneHostOnly(command: 'drain' | 'restore', hosts: readonly string[]): string | null {
  if (hosts.length <= 1) return null;
  const list = hosts.map((h) => printable(h)).join(' ');
  const ways = command === 'drain'
    ? `drain them one after the other (\`xenherdctl plan drain ${list}\` shows whether the rest of the fleet holds all their domUs), or \`xenherdctl roll ${list}\` to drain, reboot and restore each in turn`
    : 'restore them one after the other';
  return `${command} takes one HOST, not ${hosts.length}: ${ways}; usage: xenherdctl ${command === 'drain' ? DRAIN_USAGE : RESTORE_USAGE}`;
}

/** More hosts than one plan or roll takes: the limit and the way round it, not only the usage. */
export function tooManyHosts(command: string, n: number): string | null {
  if (n <= MAX_JOB_HOSTS) return null;
  return `${command} takes at most ${MAX_JOB_HOSTS} hosts, not ${n}: give them in parts of at most ${MAX_JOB_HOSTS} (a rack or a row at a time), one after the other`;
}

export async function drain(argv: readonly string[], io: CliIo, hooks: CtlHooks): Promise<number> {
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
    [1, 64],
    DRAIN_USAGE,
    (a) => oneHostOnly('drain', a.positionals),
  );
  if (!inv.ok) return failJob(inv.error, io, wantsJson(argv));
  const { args, json, client } = inv.value;
  const host = args.positionals[0] as string;
  const badHost = hostNameProblem(host);
  if (badHost !== null) return failJob({ code: 'XH_ERR_USAGE', message: badHost }, io, json);
  client.needs([host]);
  const t = timeoutOf(optionValue(args, 'timeout'));
  if (!t.ok) return failJob({ code: 'XH_ERR_USAGE', message: t.message }, io, json);
  const p = positiveInt(optionValue(args, 'max-parallel'), 'max-parallel', 64);
  if (!p.ok) return failJob({ code: 'XH_ERR_USAGE', message: p.message }, io, json);
  const coldFallback = args.options['cold-fallback'] === true;
  if (args.options['dry-run'] === true) return showPlan(client, io, { kind: 'drain', hosts: [host], maxParallel: p.n, ...coldOption(coldFallback) }, json);
  return followJob(client, io, hooks, { kind: 'drain', host, maxParallel: p.n, coldFallback, allowPartial: args.options['allow-partial'] === true, timeoutMs: t.ms }, json);
}

export async function restore(argv: readonly string[], io: CliIo, hooks: CtlHooks): Promise<number> {
  const inv = begin(argv, io, hooks, [{ name: 'timeout', takesValue: true }, { name: 'dry-run', takesValue: false }], [1, 64], RESTORE_USAGE, (a) => oneHostOnly('restore', a.positionals));
  if (!inv.ok) return failJob(inv.error, io, wantsJson(argv));
  const { args, json, client } = inv.value;
  const host = args.positionals[0] as string;
  const badHost = hostNameProblem(host);
  if (badHost !== null) return failJob({ code: 'XH_ERR_USAGE', message: badHost }, io, json);
  client.needs([host]);
  const t = timeoutOf(optionValue(args, 'timeout'));
  if (!t.ok) return failJob({ code: 'XH_ERR_USAGE', message: t.message }, io, json);
  if (args.options['dry-run'] === true) return showPlan(client, io, { kind: 'restore', host }, json);
  return followJob(client, io, hooks, { kind: 'restore', host, timeoutMs: t.ms }, json);
}
