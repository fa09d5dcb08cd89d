import type { CommandHelp } from '../../../shared/cli/program.js';

export const WHERE_USAGE = 'where PATTERN [-q | --quiet] [--json]';

export const whereHelp: CommandHelp = {
  name: 'where',
  summary: 'Say which Dom0 runs a domU (exact name or glob), its home, and how fresh the answer is.',
  usage: WHERE_USAGE,
  help: [
    'Says which Dom0 runs each domU matching PATTERN (an exact name, or a glob: * ? [abc] [!x]), its home',
    'and whether it is away from it, and how old the information is. An answer from a host that is',
    'unreachable or unheard for more than 30 s is marked STALE, with the reason for each such host',
    '(agent link down, agent silent, its xl list behind or unreadable). A domU found running nowhere',
    'while a Dom0 that may run it cannot list its domains reads "unknown", naming that Dom0.',
    '',
    `usage: xenherdctl ${WHERE_USAGE}`,
    '  -q, --quiet  print only the Dom0 (one line per match), e.g. ssh root@$(xenherdctl where -q web01)',
    '  --json       the controller\'s answer as JSON, with "stale" per match',
    'exit: 0 found, 1 nothing matched (XH_ERR_NOT_FOUND), 64 not a pattern (checked before asking), 87 controller',
    '  unreachable, 88 token refused, 78 no controller configured or its settings malformed (the message names which)',
    '',
  ].join('\n'),
};
