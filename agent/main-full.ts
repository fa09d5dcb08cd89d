import { processIo } from '../shared/cli/io.js';
import { runProgram, type Program } from '../shared/cli/program.js';
import { signalToolGroups } from './adapters/process-group.js';
import { CARRY_ON_COMMANDS } from './cli/broken-pipe.js';
import { agentCommands } from './cli/commands.js';
import type { ProcessHooks } from './cli/run.js';
import type { HangUpHold } from '../shared/cli/hang-up-hold.js';

/** HANGUPS: SIGHUP as held by main.ts since its first line, for `run` */
const processHooks = (hangUps: HangUpHold | null): ProcessHooks => ({
  onSignal: (signal, handler) => void process.on(signal, handler),
  onHangUp: (handler) => {
    if (hangUps !== null) return hangUps.take(handler);
    process.on('SIGHUP', handler);
    return false;
  },
  pid: process.pid,
  // a controller's migrate runs this same bundle; the daemon's switches that turn WebAssembly off
  // (to stay small: --no-expose-wasm, and --lite-mode, which implies it) must not follow, as the
  // migration's ssh client needs it
  self: (env) => ({ node: process.execPath, args: [...process.execArgv.filter((a) => a !== '--no-expose-wasm' && a !== '--lite-mode'), process.argv[1] ?? ''], env }),
});

const program = (hooks: ProcessHooks): Program => ({
  binary: 'xenherd-agent',
  description: 'The xenherd agent on a Xen Dom0: reads xl/xm and DRBD state, guards autostart, serves reverse migrations.',
  commands: agentCommands(hooks),
});

/**
 * A one-shot command's tools run in their own process groups (so a timeout can end all they
 * start): the terminal's Ctrl-C no longer reaches them, so it is passed on here, as the shell
 * would have, before the command exits. A hang-up is not a person asking to stop: for a command
 * that moves a domU (an operator's `migrate` in an ssh session that dropped) it is ignored, and
 * the move goes on to its end and is recorded on both Dom0s, unheard (agent/cli/broken-pipe.ts).
 * Ended there, `xl migrate` would be cut mid-copy and the ledger keep an `inflight` record of a
 * dead process: an ALARM for the next agent.
 */
function forwardSignalsToTools(command: string | undefined): void {
  const exitCodes = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;
  for (const [signal, code] of Object.entries(exitCodes) as [keyof typeof exitCodes, number][]) {
    if (signal === 'SIGHUP' && command !== undefined && CARRY_ON_COMMANDS.has(command)) {
      // a listener that does nothing: Node's default for SIGHUP is to end the process
      process.on(signal, () => undefined);
      continue;
    }
    process.once(signal, () => {
      signalToolGroups(signal);
      process.exit(code);
    });
  }
}

export async function main(argv: readonly string[], hangUps: HangUpHold | null): Promise<void> {
  if (argv[0] !== 'run') forwardSignalsToTools(argv[0]);
  const code = await runProgram(program(processHooks(hangUps)), argv, processIo());
  process.exitCode = code;
  // the daemon has ended its timers, watchers and socket; anything left must not keep us alive
  if (argv[0] === 'run') process.exit(code);
}
