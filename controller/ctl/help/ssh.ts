import type { CommandHelp } from '../../../shared/cli/program.js';

export const SSH_USAGE = 'ssh NAME [--] [CMD...]';

export const sshHelp: CommandHelp = {
  name: 'ssh',
  summary: 'ssh to the Dom0 running NAME as root, optionally running CMD there.',
  usage: SSH_USAGE,
  help: [
    "Runs `ssh root@DOM0 [CMD...]` for the Dom0 the controller sees running NAME (no local shell involved).",
    '',
    `usage: xenherdctl ${SSH_USAGE}`,
    '  put CMD after -- when it has options: xenherdctl ssh web01 -- xl list -l',
    'exit: ssh\'s own exit code once ssh runs; before that 1 not found, 87 controller unreachable, 88 token refused',
    '',
  ].join('\n'),
};
