import type { CommandHelp } from '../../../shared/cli/program.js';
import { CTRL_C_HELP, EXIT_HELP, TIMEOUT_HELP } from './drain.js';

export const REBALANCE_USAGE = 'rebalance [--apply | --dry-run] [--max-moves N] [--timeout DURATION] [--json]';
export const PLAN_USAGE = 'plan drain HOST... [--cold-fallback] | plan restore HOST | plan rebalance [--max-moves N] | plan roll HOST... [--group-size N] [--cold-fallback] [--json]';

export const rebalanceHelp: CommandHelp = {
  name: 'rebalance',
  summary: 'Plan (or --apply) moves that even out memory and vCPU use and send domUs to their healthy homes.',
  usage: REBALANCE_USAGE,
  help: [
    'Scores the fleet: the spread (std-dev) of memory use and of vCPU load over the online',
    'hosts, plus a penalty per domU away from a healthy home. Greedy: the best single move each round, within',
    'the DRBD constraints and memory (with the reserve), while it gains at least the minimum; each domU',
    'moves at most once, and not within 30 min of its last move. Hosts not online are left alone; nothing',
    'is planned while a drain, restore or roll runs. The away penalty outweighs any imbalance: a domU is never',
    'moved off its healthy home; domUs away from it go home when they fit, and one that stays away is listed',
    'with why (exit 1). Without --apply (or with --dry-run, as drain takes it) it only prints the plan.',
    CTRL_C_HELP,
    '',
    `usage: xenherdctl ${REBALANCE_USAGE}`,
    TIMEOUT_HELP,
    EXIT_HELP,
    '',
  ].join('\n'),
};

export const planHelp: CommandHelp = {
  name: 'plan',
  summary: 'Show what drain, restore, rebalance or roll would do now, as a table (or --json); nothing moves.',
  usage: PLAN_USAGE,
  help: [
    'Asks the controller for a plan from its current view and prints it: the moves in sets (the moves of a',
    'set can run at once within the limits: by default 1 out of and 1 into each host, 2 in the fleet), and',
    'every domU that would stay, with why (for rebalance: each it leaves away from its home). Nothing moves.',
    'A rebalance plan also lists, under its table, the domUs away from homes that take none now (in',
    'maintenance, restoring, unheard), which no rebalance moves, with the restore that brings them back',
    '(--json: closedHomes, each home with why, the names and that line; absent from an older controller).',
    '--cold-fallback plans as drain and roll do with it: a domU no live move can place (another toolstack,',
    'an older Xen release) is moved cold (shut down, started there) instead of listed as staying.',
    '',
    `usage: xenherdctl ${PLAN_USAGE}`,
    'exit: 0 the plan reaches its goal; 1 something would remain (listed); 2 usage or configuration error',
    '',
  ].join('\n'),
};
