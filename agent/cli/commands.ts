import type { Command } from '../../shared/cli/program.js';
import { autostartCommand } from './autostart.js';
import { inventoryCommand } from './inventory.js';
import { createRunCommand, type ProcessHooks } from './run.js';

/** Every subcommand of xenherd-agent, in the order --help lists them; `run` gets the process hooks. */
export const agentCommands = (hooks: ProcessHooks): readonly Command[] => [createRunCommand(hooks), autostartCommand, inventoryCommand];
