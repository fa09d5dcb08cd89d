// Composition root of xenherdctl: argv, stdio and environment, the wall clock, and running ssh.
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import * as z from 'zod';
import { processIo } from '../../shared/cli/io.js';
import { commandFirst, runProgram } from '../../shared/cli/program.js';
import { realClock } from '../../shared/clock/real-clock.js';
import { endQuietlyOnBrokenPipe } from '../../shared/cli/broken-pipe.js';
import type { CtlHooks } from './context.js';
import { unknownOutput } from './nagios-output.js';
import { ctlProgram } from './program.js';
import { spawnFailureLine } from './spawn-failure.js';
import { guardedWrite, STDOUT_FAILED_EXIT } from './stdout-failure.js';

/**
 * Runs ARGV with the terminal attached; no shell: the arguments go to the program as they are.
 * node:child_process is loaded only here: most commands never run one, and every start would pay
 * for it. Loaded by require, never import(): the launcher runs the program as a vm.Script, which
 * has no module loader, so an import() there fails (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING).
 */
const runAttached = async (argv: readonly string[]): Promise<number> => {
  const { spawn } = createRequire(import.meta.url)('node:child_process') as typeof import('node:child_process');
  return new Promise((resolve) => {
    const [cmd, ...args] = argv;
    if (cmd === undefined) return resolve(127);
    const child = spawn(cmd, args, { stdio: 'inherit' });
    child.on('error', (e: NodeJS.ErrnoException) => {
      process.stderr.write(`${spawnFailureLine(cmd, e)}\n`);
      resolve(127);
    });
    child.on('exit', (code, signal) => resolve(code ?? 128 + (signal ? constants.signals[signal] : 0)));
  });
};

// Most commands parse an answer or two: the fast path zod generates (new Function) at an object
// schema's first parse costs more to compile than it saves here, some 6 ms of every run. Set before
// the command's schemas are built: each reads it then.
z.config({ jitless: true });

const hooks: CtlHooks = {
  clock: realClock,
  execSsh: (args) => runAttached(['ssh', ...args]),
  isTty: process.stdout.isTTY === true,
  onInterrupt: (handler) => {
    process.on('SIGINT', handler);
    return () => void process.off('SIGINT', handler);
  },
  runCommand: runAttached,
};

// `xenherdctl status | head -1`: the reader leaving early ends us quietly, as it would any Unix tool;
// `xenherdctl where '*' > /dev/full`: one line and 74 (3 for check), never a stack and 1 ("not found")
// check is a Nagios plugin, whose help promises 0 to 3 and never another code: 3 (UNKNOWN) there
const program = ctlProgram(hooks);
const argv = commandFirst(program, process.argv.slice(2));
const isCheck = argv[0] === 'check';
endQuietlyOnBrokenPipe(process.stderr, (code) => process.exit(isCheck ? 3 : code));
const stdout = guardedWrite(process.stdout, (t) => void process.stdout.write(t), {
  writeStderr: (t) => void process.stderr.write(t),
  exit: (code) => process.exit(code),
  failedExit: isCheck ? 3 : STDOUT_FAILED_EXIT,
  ...(isCheck ? { brokenPipeExit: 3 } : {}),
});

// `check` is a Nagios plugin: even a crash outside its own error handling ends as one UNKNOWN line and exit 3
if (isCheck) {
  const crashed = (e: unknown): void => {
    process.stdout.write(unknownOutput({ code: 'XH_ERR_INTERNAL', message: e instanceof Error ? e.message : String(e) }, process.argv.includes('--json')).text);
    process.exit(3);
  };
  process.on('uncaughtException', crashed);
  process.on('unhandledRejection', crashed);
}

void runProgram(program, argv, { ...processIo(), stdout }).then((code) => {
  process.exitCode = code;
});
