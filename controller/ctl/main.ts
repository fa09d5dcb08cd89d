// Composition root of xenherdctl: argv, stdio and environment, the wall clock, and running ssh.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { processIo } from '../../shared/cli/io.js';
import { runProgram } from '../../shared/cli/program.js';
import { realClock } from '../../shared/clock/real-clock.js';
import type { CtlHooks } from './context.js';
import { ctlProgram } from './program.js';

const hooks: CtlHooks = {
  clock: realClock,
  // the terminal is ssh's; no shell: the arguments go to ssh as they are
  execSsh: (args) =>
    new Promise((resolve) => {
      const child = spawn('ssh', [...args], { stdio: 'inherit' });
      child.on('error', (e) => {
        process.stderr.write(`xenherdctl: cannot run ssh: ${e.message}\n`);
        resolve(127);
      });
      child.on('exit', (code, signal) => resolve(code ?? 128 + (signal ? constants.signals[signal] : 0)));
    }),
};

void runProgram(ctlProgram(hooks), process.argv.slice(2), processIo()).then((code) => {
  process.exitCode = code;
});
