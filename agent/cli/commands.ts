import type { CliIo } from '../../shared/cli/io.js';
import type { Command, CommandHelp } from '../../shared/cli/program.js';
import { AGENT_COMMAND_HELP as HELP } from './help.js';
import type { ProcessHooks } from './run.js';

/**
 * A command whose code is loaded when it runs: listing the commands and printing their help needs
 * only help.ts. Every Node start on a Dom0 (each forced command a peer sends, each CLI call) then
 * initialises one command's modules instead of all of them.
 */
const lazy = (help: CommandHelp, load: () => Promise<Command>): Command => ({
  ...help,
  run: async (argv: readonly string[], io: CliIo) => (await load()).run(argv, io),
});

/** Every subcommand of xenherd-agent with the loader of its code, in the order --help lists them; `run` gets the process hooks. */
export const agentCommandLoaders = (hooks: ProcessHooks): readonly (readonly [CommandHelp, () => Promise<Command>])[] => [
  [HELP.run, async () => (await import('./run.js')).createRunCommand(hooks)],
  [HELP.autostart, async () => (await import('./autostart.js')).autostartCommand],
  [HELP.inventory, async () => (await import('./inventory.js')).inventoryCommand],
  [HELP.status, async () => (await import('./status.js')).statusCommand],
  [HELP.migrate, async () => (await import('./migrate.js')).migrateCommand],
  [HELP.reverse, async () => (await import('./reverse.js')).reverseCommand],
  [HELP.moveStop, async () => (await import('./move-stop.js')).moveStopCommand],
  [HELP.moveStart, async () => (await import('./move-start.js')).moveStartCommand],
  [HELP.reconcile, async () => (await import('./reconcile.js')).reconcileCommand],
  [HELP.ping, async () => (await import('./ping.js')).pingCommand],
  [HELP.migrate2, async () => (await import('./migrate2.js')).migrate2Command],
  [HELP.keys, async () => (await import('./keys.js')).keysCommand],
];

export const agentCommands = (hooks: ProcessHooks): readonly Command[] => agentCommandLoaders(hooks).map(([help, load]) => lazy(help, load));
