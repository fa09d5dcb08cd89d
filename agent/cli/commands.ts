import type { Command } from '../../shared/cli/program.js';
import { autostartCommand } from './autostart.js';
import { inventoryCommand } from './inventory.js';
import { keysCommand } from './keys.js';
import { migrateCommand } from './migrate.js';
import { migrate2Command } from './migrate2.js';
import { moveStartCommand } from './move-start.js';
import { moveStopCommand } from './move-stop.js';
import { pingCommand } from './ping.js';
import { reconcileCommand } from './reconcile.js';
import { reverseCommand } from './reverse.js';
import { statusCommand } from './status.js';
import { createRunCommand, type ProcessHooks } from './run.js';

/** Every subcommand of xenherd-agent, in the order --help lists them; `run` gets the process hooks. */
export const agentCommands = (hooks: ProcessHooks): readonly Command[] => [
  createRunCommand(hooks),
  autostartCommand,
  inventoryCommand,
  statusCommand,
  migrateCommand,
  reverseCommand,
  moveStopCommand,
  moveStartCommand,
  reconcileCommand,
  pingCommand,
  migrate2Command,
  keysCommand,
];
