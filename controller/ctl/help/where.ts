import type { CommandHelp } from '../../../shared/cli/program.js';

export const WHERE_USAGE = 'where PATTERN... [-q | --quiet] [--json]';

export const whereHelp: CommandHelp = {
  name: 'where',
  summary: 'Say which Dom0 runs each domU named (exact names or globs), its home, and how fresh the answer is.',
  usage: WHERE_USAGE,
  help: [
    'Says which Dom0 runs each domU matching a PATTERN (an exact name, or a glob: * ? [abc] [!x]), its home',
    'and whether it is away from it, and how old the information is. Several patterns (where web01 db1)',
    'give one line per domU in the order given, a domU two of them match once. An answer from a host that is',
    'unreachable or unheard for more than 30 s is marked STALE, with the reason for each such host',
    '(agent link down, agent silent, its xl list behind or unreadable). A domU found running nowhere',
    'while a Dom0 that may run it cannot list its domains reads "unknown", naming that Dom0. A domU whose',
    'migration a Dom0\'s ledger keeps as unsettled (it ended in an ALARM) reads "ALARM unsettled", not',
    '"migrating": that migration, each half it left and how long it has stood, and the xenherd-agent',
    'reconcile NAME that settles it once a person has kept one copy.',
    '',
    `usage: xenherdctl ${WHERE_USAGE}`,
    '  -q, --quiet  print only the Dom0, one line per domU found running, in the order of the full answer\'s',
    '               lines (a Dom0 running two of them is printed twice: sort -u for each Dom0 once), e.g.',
    '               ssh root@$(xenherdctl where -q web01); a PATTERN none of whose domUs runs anywhere is',
    '               named on stderr and makes the exit 1',
    '  --json       the controller\'s answer as JSON, with "stale" per match; with several patterns the same',
    '               object with "patterns" for "pattern", every match once, and "unmatched": the patterns',
    '               that matched nothing',
    'exit: 0 every PATTERN found (STALE, ALERT and ALARM unsettled are said on the line: xenherdctl check',
    '  judges them), 1 one matched nothing (each such PATTERN named on stderr, XH_ERR_NOT_FOUND;',
    '  the domUs found are still printed), 76 not known yet: instead of 1 (or -q\'s none running) while the',
    '  controller is in its start-up grace with enrolled Dom0s not reported (XH_ERR_AGENT_UNREACHABLE: how many,',
    '  since when; try again), 64 not a pattern (checked before asking), 87 controller',
    '  unreachable, 88 token refused, 78 no controller configured or its settings malformed (the message names which)',
    '',
  ].join('\n'),
};
