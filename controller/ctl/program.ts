import type { Program } from '../../shared/cli/program.js';
import { checkCommand } from './commands/check.js';
import { drainCommand, restoreCommand } from './commands/drain.js';
import { domainsCommand, hostsCommand, statusCommand } from './commands/listing.js';
import { maintenanceCommand } from './commands/maintenance.js';
import { migrateCommand, reverseCommand } from './commands/migrate.js';
import { planCommand, rebalanceCommand } from './commands/rebalance.js';
import { rollCommand } from './commands/roll.js';
import { sshCommand } from './commands/ssh.js';
import { whereCommand } from './commands/where.js';
import type { CtlHooks } from './context.js';

export const ctlProgram = (hooks: CtlHooks): Program => ({
  binary: 'xenherdctl',
  description: [
    'Ask the xenherd controller where each domU runs, list its Dom0s and domains, migrate domUs, and drain,',
    'restore, rebalance and roll Dom0s through maintenance; check is a Nagios plugin, and the controller',
    'serves Prometheus metrics at /metrics (the same token, role read).',
    'Controller: ~/.config/xenherd/ctl.json {"url", "token", "ca"}, each overridden by XENHERD_URL,',
    'XENHERD_TOKEN, XENHERD_CA (the CA file: the controller\'s tls/ca.crt). Every command takes --json.',
  ].join('\n'),
  commands: [
    whereCommand(hooks),
    sshCommand(hooks),
    hostsCommand(hooks),
    domainsCommand(hooks),
    statusCommand(hooks),
    migrateCommand(hooks),
    reverseCommand(hooks),
    drainCommand(hooks),
    restoreCommand(hooks),
    maintenanceCommand(hooks),
    rebalanceCommand(hooks),
    rollCommand(hooks),
    planCommand(hooks),
    checkCommand(hooks),
  ],
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
  exitCodesNote: [
    "  migrate and reverse exit with the agent's result code (docs/errors.md); ssh with ssh's.",
    '  drain, restore, maintenance, rebalance, roll and plan: 0 the goal holds, 1 it does not (what remains',
    '  is listed), 2 usage or configuration error, 90 --timeout ran out, 87/88/89 as above.',
    '  check (a Nagios plugin): 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN, and never another code.',
  ].join('\n'),
});
