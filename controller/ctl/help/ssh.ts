import type { CommandHelp } from '../../../shared/cli/program.js';

export const SSH_USAGE = 'ssh NAME [--json] [--] [CMD...]';

export const sshHelp: CommandHelp = {
  name: 'ssh',
  summary: 'ssh to the Dom0 running NAME as root, optionally running CMD there.',
  usage: SSH_USAGE,
  help: [
    "Runs `ssh root@DOM0 [CMD...]` for the Dom0 the controller sees running NAME (no local shell involved).",
    '',
    `usage: xenherdctl ${SSH_USAGE}`,
    "  options before -- are xenherdctl's; put CMD after -- when it has options: xenherdctl ssh web01 -- xl list -l",
    "  the words after -- reach ssh as typed, so ssh's own options come first: xenherdctl ssh web01 -- -t xl console web01",
    '  --json  run nothing: print {"name", "host", "stale", "argv"} (the ssh command line it would run) as JSON',
    'exit: ssh\'s own exit code once ssh runs (0 with --json); before that 1 not found, 64 usage (NAME is not a',
    '  domU name), 87 controller unreachable, 88 token refused',
    '',
  ].join('\n'),
};
