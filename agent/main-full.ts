import { processIo } from '../shared/cli/io.js';
import { runProgram } from '../shared/cli/program.js';
import { createSdNotify } from './adapters/sd-notify.js';
import { agentCommands } from './cli/commands.js';
import type { ProcessHooks } from './cli/run.js';

const hooks: ProcessHooks = {
  onSignal: (signal, handler) => void process.on(signal, handler),
  notify: (env) => createSdNotify(env),
};

const program = {
  binary: 'xenherd-agent',
  description: 'The xenherd agent on a Xen Dom0: reads xl/xm and DRBD state, guards autostart, serves reverse migrations.',
  commands: agentCommands(hooks),
};

export async function main(argv: readonly string[]): Promise<void> {
  const code = await runProgram(program, argv, processIo());
  process.exitCode = code;
  // the daemon has ended its timers, watchers and socket; anything left must not keep us alive
  if (argv[0] === 'run') process.exit(code);
}
