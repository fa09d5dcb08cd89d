import type { Program } from '../../shared/cli/program.js';
import { domainsCommand, hostsCommand, statusCommand } from './commands/listing.js';
import { migrateCommand, reverseCommand } from './commands/migrate.js';
import { sshCommand } from './commands/ssh.js';
import { whereCommand } from './commands/where.js';
import type { CtlHooks } from './context.js';

export const ctlProgram = (hooks: CtlHooks): Program => ({
  binary: 'xenherdctl',
  description: [
    'Ask the xenherd controller where each domU runs, list its Dom0s and domains, and migrate domUs.',
    'Controller: ~/.config/xenherd/ctl.json {"url", "token", "ca"}, each overridden by XENHERD_URL,',
    'XENHERD_TOKEN, XENHERD_CA (the CA file: the controller\'s tls/ca.crt). Every command takes --json.',
  ].join('\n'),
  commands: [whereCommand(hooks), sshCommand(hooks), hostsCommand(hooks), domainsCommand(hooks), statusCommand(hooks), migrateCommand(hooks), reverseCommand(hooks)],
  exitCodes: [
    'XH_ERR_NOT_FOUND',
    'XH_ERR_USAGE',
    'XH_ERR_INTERNAL',
    'XH_ERR_AGENT_UNREACHABLE',
    'XH_ERR_REFUSED',
    'XH_ERR_CONFIG',
    'XH_ERR_CONTROLLER_UNREACHABLE',
    'XH_ERR_AUTH',
    'XH_ERR_PROTOCOL',
    'XH_ERR_TIMEOUT',
    'XH_ERR_AGENT_LINK_LOST',
  ],
  exitCodesNote: "  migrate and reverse exit with the agent's result code (docs/errors.md); ssh with ssh's.",
});
