import type { CliIo } from '../../../shared/cli/io.js';
import { hostNameProblem } from '../../../shared/names.js';
import { MAX_JOB_HOSTS, type PlanRequest } from '../../../shared/protocol/ctl-jobs.js';
import { begin, wantsJson, type CtlHooks } from '../context.js';
import { PLAN_USAGE, REBALANCE_USAGE } from '../help/rebalance.js';
import { failJob, followJob } from '../job-follow.js';
import { optionValue } from '../options.js';
import { coldOption, positiveInt, showPlan, timeoutOf, tooManyHosts } from './drain.js';

export async function rebalance(argv: readonly string[], io: CliIo, hooks: CtlHooks): Promise<number> {
  const inv = begin(argv, io, hooks, [{ name: 'apply', takesValue: false }, { name: 'dry-run', takesValue: false }, { name: 'max-moves', takesValue: true }, { name: 'timeout', takesValue: true }], [0, 0], REBALANCE_USAGE);
  if (!inv.ok) return failJob(inv.error, io, wantsJson(argv));
  const { args, json, client } = inv.value;
  // a dry run is the default here; --dry-run is taken as drain, restore and roll take it, so a
  // script passing it to every command works, but it never goes with --apply
  if (args.options['dry-run'] === true && args.options['apply'] === true) return failJob({ code: 'XH_ERR_USAGE', message: `--apply and --dry-run contradict each other: give one; usage: xenherdctl ${REBALANCE_USAGE}` }, io, json);
  const m = positiveInt(optionValue(args, 'max-moves'), 'max-moves', 1000);
  if (!m.ok) return failJob({ code: 'XH_ERR_USAGE', message: m.message }, io, json);
  const t = timeoutOf(optionValue(args, 'timeout'));
  if (!t.ok) return failJob({ code: 'XH_ERR_USAGE', message: t.message }, io, json);
  if (args.options['apply'] !== true) return showPlan(client, io, { kind: 'rebalance', maxMoves: m.n }, json);
  return followJob(client, io, hooks, { kind: 'rebalance', maxMoves: m.n, timeoutMs: t.ms }, json);
}

const PLAN_KINDS: ReadonlySet<string> = new Set<PlanRequest['kind']>(['drain', 'restore', 'rebalance', 'roll']);

export async function plan(argv: readonly string[], io: CliIo, hooks: CtlHooks): Promise<number> {
  const inv = begin(argv, io, hooks, [{ name: 'max-moves', takesValue: true }, { name: 'group-size', takesValue: true }, { name: 'cold-fallback', takesValue: false }], [1, Infinity], PLAN_USAGE, (a) => (a.positionals[0] === 'drain' || a.positionals[0] === 'roll' ? tooManyHosts(`plan ${a.positionals[0]}`, a.positionals.length - 1) : null));
  if (!inv.ok) return failJob(inv.error, io, wantsJson(argv));
  const { args, json, client } = inv.value;
  const [kind, ...hosts] = args.positionals as [string, ...string[]];
  const bad = hosts.map((h) => hostNameProblem(h)).find((p) => p !== null);
  if (bad !== undefined && bad !== null) return failJob({ code: 'XH_ERR_USAGE', message: bad }, io, json);
  client.needs(hosts);
  const usage = (message: string): number => failJob({ code: 'XH_ERR_USAGE', message: `${message}; usage: xenherdctl ${PLAN_USAGE}` }, io, json);
  // only a rebalance plan has a number of moves: elsewhere it would be dropped, and the plan
  // printed would not be the one asked for
  if (args.options['max-moves'] !== undefined && PLAN_KINDS.has(kind) && kind !== 'rebalance') return usage(`plan ${kind} takes no --max-moves: only plan rebalance does`);
  if (args.options['group-size'] !== undefined && PLAN_KINDS.has(kind) && kind !== 'roll') return usage(`plan ${kind} takes no --group-size: only plan roll does`);
  const coldFallback = args.options['cold-fallback'] === true;
  if (coldFallback && PLAN_KINDS.has(kind) && kind !== 'drain' && kind !== 'roll') return usage(`plan ${kind} takes no --cold-fallback: only plan drain and plan roll do`);
  const m = positiveInt(optionValue(args, 'max-moves'), 'max-moves', 1000);
  if (!m.ok) return failJob({ code: 'XH_ERR_USAGE', message: m.message }, io, json);
  const g = positiveInt(optionValue(args, 'group-size'), 'group-size', MAX_JOB_HOSTS);
  if (!g.ok) return failJob({ code: 'XH_ERR_USAGE', message: g.message }, io, json);
  let req: PlanRequest;
  if (kind === 'drain' || kind === 'roll') {
    if (hosts.length === 0) return usage(`plan ${kind} needs at least one HOST`);
    // the plan the drain or roll with --cold-fallback runs, its leftovers moved cold where no live move goes
    req = kind === 'roll' ? { kind, hosts, ...(g.n !== null ? { groupSize: g.n } : {}), ...coldOption(coldFallback) } : { kind, hosts, ...coldOption(coldFallback) };
  } else if (kind === 'restore') {
    if (hosts.length !== 1) return usage('plan restore takes one HOST');
    req = { kind, host: hosts[0] as string };
  } else if (kind === 'rebalance') {
    if (hosts.length !== 0) return usage('plan rebalance takes no HOST');
    req = { kind, maxMoves: m.n };
  } else return usage(`unknown plan ${JSON.stringify(kind)}`);
  return showPlan(client, io, req, json);
}
