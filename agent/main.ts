// Composition root of xenherd-agent: argv, the process's stdio and environment, exit code.
import { processIo } from '../shared/cli/io.js';
import { runProgram } from '../shared/cli/program.js';
import { agentCommands } from './cli/commands.js';

const program = {
  binary: 'xenherd-agent',
  description: 'The xenherd agent on a Xen Dom0: reads xl/xm and DRBD state, guards autostart, serves reverse migrations.',
  commands: agentCommands,
};

void runProgram(program, process.argv.slice(2), processIo()).then((code) => {
  process.exitCode = code;
});
