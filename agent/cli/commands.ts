import type { Command } from '../../shared/cli/program.js';
import { inventoryCommand } from './inventory.js';

/** Every subcommand of xenherd-agent, in the order --help lists them. */
export const agentCommands: readonly Command[] = [inventoryCommand];
