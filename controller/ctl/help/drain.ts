import type { CommandHelp } from '../../../shared/cli/program.js';

export const EXIT_HELP = [
  'exit: 0 the goal holds; 1 it does not (what remains is listed, each with why); 2 usage or',
  '      configuration error; 90 --timeout ran out; 87 controller unreachable, or it stopped (a restart,',
  '      an upgrade) mid-job: run the same command again once it is back; 88 token refused;',
  '      130 stopped watching at Ctrl-C (the job goes on)',
].join('\n');

/** What Ctrl-C does, in the terminal that started a job and in one that attached to it. */
export const CTRL_C_HELP = [
  'Ctrl-C in the terminal that started the job: no new moves, running ones finish (again: stop watching,',
  '130). Run while the same job runs, the command follows it instead, and Ctrl-C there only stops',
  'watching (130; the job goes on, named with who started it): `xenherdctl cancel JOB` stops it on purpose.',
  'A Ctrl-C before the job is named (its first line) waits up to 10 s for that name, then does the same;',
  'with no name by then it exits 130 saying the job may run: `xenherdctl jobs` lists it. A job stopped so',
  'ends "cancelled: …" (exit 1); under --json its end keeps code XH_ERR_REFUSED and adds "cancelled": true.',
].join('\n');

/** What --timeout takes, for the commands that take it (drain says more, in its own words). */
export const TIMEOUT_HELP = '  --timeout   DURATION, e.g. 30m, 1h30m, 90s (units ms s m h d; a number needs one), more than 0';

export const DRAIN_USAGE = 'drain HOST [--max-parallel N] [--cold-fallback] [--allow-partial] [--timeout DURATION] [--dry-run] [--json]';
export const RESTORE_USAGE = 'restore HOST [--timeout DURATION] [--dry-run] [--json]';

export const drainHelp: CommandHelp = {
  name: 'drain',
  summary: 'Empty HOST for maintenance: every domU to a host holding its replica; then HOST is in maintenance.',
  usage: DRAIN_USAGE,
  help: [
    'Plans first: every domU on HOST gets a target holding a replica of all its DRBD resources, online, with',
    'room (keeping the reserve free), spread over the targets. A drain that cannot finish is refused before',
    'anything changes, unless --allow-partial: so is one with a domU whose DRBD link is cut, or whose only',
    'target is a Dom0 not heard from. Then HOST is draining (never a target, its guarded autostart',
    'starts nothing), the domUs move (at most 1 out of HOST, 1 into each target and 2 in the fleet at once;',
    '--max-parallel N allows N out of HOST and N in the fleet), and once its agent reports nothing running',
    'HOST is in maintenance. Failed migrations are retried (3 attempts; a target gone away or a DRBD pair',
    'out of step is waited for first, up to 5 min); an unclear ending is settled by',
    'asking both hosts first. --cold-fallback shuts a domU down and starts it on the target when live',
    'migration keeps failing, and may use a target on an older Xen release (moved cold at once) when no',
    'other has room. A drain that cannot finish leaves HOST draining and says what remains.',
    'Run it again to continue (also after a controller restart, or right after a Ctrl-C: it starts once',
    'the stopped one\'s running moves have ended).',
    CTRL_C_HELP,
    '',
    `usage: xenherdctl ${DRAIN_USAGE}`,
    '  --dry-run   print the plan (the moves of one SET may run at once), change nothing (exit 1 if it',
    '              cannot finish); planned with the options given, --max-parallel and --cold-fallback too',
    TIMEOUT_HELP,
    '              it stops starting moves after this long (exit 90); following a drain already running, it',
    '              stops following after this long (exit 90; the drain goes on)',
    EXIT_HELP,
    '',
  ].join('\n'),
};

export const restoreHelp: CommandHelp = {
  name: 'restore',
  summary: "Bring every domU whose home is HOST back to it (from the agents' ledgers), then HOST is online.",
  usage: RESTORE_USAGE,
  help: [
    "Brings home every domU whose home is HOST and that runs elsewhere: the agents' homes and ledgers",
    'merged, manual moves included. Visitors parked on HOST are sent to their own homes first when HOST',
    'lacks room. Pass after pass while anything still moves; what stays away is listed with its reason.',
    'HOST is online at the end.',
    CTRL_C_HELP,
    '',
    `usage: xenherdctl ${RESTORE_USAGE}`,
    TIMEOUT_HELP,
    EXIT_HELP,
    '',
  ].join('\n'),
};
