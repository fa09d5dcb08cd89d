import type { CommandHelp } from '../../../shared/cli/program.js';

export const SSH_USAGE = 'ssh [--json] NAME [CMD...]';

export const sshHelp: CommandHelp = {
  name: 'ssh',
  summary: 'ssh to the Dom0 running NAME as root, optionally running CMD there.',
  usage: SSH_USAGE,
  help: [
    "Runs `ssh root@DOM0 [CMD...]` for the Dom0 the controller sees running NAME (no local shell involved).",
    '',
    `usage: xenherdctl ${SSH_USAGE}`,
    "  as with ssh itself, only the options before NAME are xenherdctl's: every word after NAME is CMD's,",
    '  options included: xenherdctl ssh web01 uptime --json runs `uptime --json` on the Dom0; a -- right after',
    "  NAME is dropped (older usage). The words after NAME reach ssh as typed, so ssh's own options come",
    '  first: xenherdctl ssh web01 -t xl console web01. Only -h and --help are still read as asking for this',
    '  help: put -- after NAME to send them (xenherdctl ssh web01 -- ls --help)',
    '  --json  run nothing: print {"name", "host", "stale", "argv"} (the ssh command line it would run) as JSON;',
    '          also taken right after NAME when nothing or -- follows it (ssh NAME --json [-- CMD...])',
    'exit: ssh\'s own exit code once ssh runs (0 with --json); before that 1 not found, 76 not known yet (the',
    '  controller just started and enrolled Dom0s have not reported: try again), 64 usage (NAME is not a',
    '  domU name), 87 controller unreachable, 88 token refused, 78 no controller configured or its settings malformed',
    '',
  ].join('\n'),
};
