import type { CliIo } from '../../../shared/cli/io.js';
import type { Command } from '../../../shared/cli/program.js';
import { HOST_NAME_RE } from '../../../shared/names.js';
import type { PlanRequest } from '../../../shared/protocol/ctl-jobs.js';
import { begin, wantsJson, type CtlHooks } from '../context.js';
import { failJob, followJob } from '../job-follow.js';
import { optionValue } from '../options.js';
import { EXIT_HELP, positiveInt, showPlan, timeoutOf } from './drain.js';

const REBALANCE_USAGE = 'rebalance [--apply] [--max-moves N] [--timeout DURATION] [--json]';

async function rebalance(argv: readonly string[], io: CliIo, hooks: CtlHooks): Promise<number> {
  const inv = begin(argv, io, hooks, [{ name: 'apply', takesValue: false }, { name: 'max-moves', takesValue: true }, { name: 'timeout', takesValue: true }], [0, 0], REBALANCE_USAGE);
  if (!inv.ok) return failJob(inv.error, io, wantsJson(argv));
  const { args, json, client } = inv.value;
  const m = positiveInt(optionValue(args, 'max-moves'), 'max-moves', 1000);
  if (!m.ok) return failJob({ code: 'XH_ERR_USAGE', message: m.message }, io, json);
  const t = timeoutOf(optionValue(args, 'timeout'));
  if (!t.ok) return failJob({ code: 'XH_ERR_USAGE', message: t.message }, io, json);
  if (args.options['apply'] !== true) return showPlan(client, io, { kind: 'rebalance', maxMoves: m.n }, json);
  return followJob(client, io, hooks, { kind: 'rebalance', maxMoves: m.n, timeoutMs: t.ms }, json);
}

export const rebalanceCommand = (hooks: CtlHooks): Command => ({
  name: 'rebalance',
  summary: 'Plan (or --apply) moves that even out memory and vCPU use and send domUs to their healthy homes.',
  usage: REBALANCE_USAGE,
  help: [
    'Scores the fleet: the spread (std-dev) of memory use and of vCPU load over the online',
    'hosts, plus a penalty per domU away from a healthy home. Greedy: the best single move each round, within',
    'the DRBD constraints and memory (with the reserve), while it gains at least the minimum; each domU',
    'moves at most once, and not within 30 min of its last move. Hosts not online are left alone; nothing',
    'is planned while a drain, restore or roll runs. The away penalty outweighs any imbalance: a domU is never',
    'moved off its healthy home; domUs away from it go home when they fit. Without --apply it only prints the plan.',
    '',
    `usage: xenherdctl ${REBALANCE_USAGE}`,
    EXIT_HELP,
    '',
  ].join('\n'),
  run: (argv, io) => rebalance(argv, io, hooks),
});

const PLAN_USAGE = 'plan drain HOST... | plan restore HOST | plan rebalance [--max-moves N] | plan roll HOST... [--json]';

async function plan(argv: readonly string[], io: CliIo, hooks: CtlHooks): Promise<number> {
  const inv = begin(argv, io, hooks, [{ name: 'max-moves', takesValue: true }], [1, 256], PLAN_USAGE);
  if (!inv.ok) return failJob(inv.error, io, wantsJson(argv));
  const { args, json, client } = inv.value;
  const [kind, ...hosts] = args.positionals as [string, ...string[]];
  const bad = hosts.find((h) => !HOST_NAME_RE.test(h));
  if (bad !== undefined) return failJob({ code: 'XH_ERR_USAGE', message: `${JSON.stringify(bad)} is not a host name` }, io, json);
  const m = positiveInt(optionValue(args, 'max-moves'), 'max-moves', 1000);
  if (!m.ok) return failJob({ code: 'XH_ERR_USAGE', message: m.message }, io, json);
  const usage = (message: string): number => failJob({ code: 'XH_ERR_USAGE', message: `${message}; usage: xenherdctl ${PLAN_USAGE}` }, io, json);
  let req: PlanRequest;
  if (kind === 'drain' || kind === 'roll') {
    if (hosts.length === 0) return usage(`plan ${kind} needs at least one HOST`);
    req = { kind, hosts };
  } else if (kind === 'restore') {
    if (hosts.length !== 1) return usage('plan restore takes one HOST');
    req = { kind, host: hosts[0] as string };
  } else if (kind === 'rebalance') {
    if (hosts.length !== 0) return usage('plan rebalance takes no HOST');
    req = { kind, maxMoves: m.n };
  } else return usage(`unknown plan ${JSON.stringify(kind)}`);
  return showPlan(client, io, req, json);
}

export const planCommand = (hooks: CtlHooks): Command => ({
  name: 'plan',
  summary: 'Show what drain, restore, rebalance or roll would do now, as a table (or --json); nothing moves.',
  usage: PLAN_USAGE,
  help: [
    'Asks the controller for a plan from its current view and prints it: the moves in sets (the moves of a',
    'set touch distinct hosts and can run at once), and every domU that would stay, with why. Nothing moves.',
    '',
    `usage: xenherdctl ${PLAN_USAGE}`,
    'exit: 0 the plan reaches its goal; 1 something would remain (listed); 2 usage or configuration error',
    '',
  ].join('\n'),
  run: (argv, io) => plan(argv, io, hooks),
});
