// Composition root of xenherd-controller, loaded by main.ts: argv, stdio, the wall clock, signals,
// host name, ids.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { processIo } from '../shared/cli/io.js';
import { runProgram, type Program } from '../shared/cli/program.js';
import { realClock, steadyRealClock } from '../shared/clock/real-clock.js';
import { createSdNotify, execRunner } from '../shared/systemd/sd-notify.js';
import { enrollCommand } from './cli/enroll.js';
import type { ControllerHooks } from './cli/hooks.js';
import { initCommand } from './cli/init.js';
import { operatorCommand } from './cli/operator.js';
import { renewCertCommand } from './cli/renew-cert.js';
import { revokeCommand } from './cli/revoke.js';
import { serveCommand } from './cli/serve.js';
import { tokensCommand } from './cli/tokens-list.js';
import { limitHeapGrowth } from './heap-growth.js';
import { redactTokens } from '../shared/text/redact-token.js';
import type { HangUpHold } from '../shared/cli/hang-up-hold.js';

export function main(argv: readonly string[], hangUps: HangUpHold | null): void {
  const serving = argv[0] === 'serve';
  // serve measures silences, ages and alert times: a step of the system clock must not move them
  const steady = serving ? steadyRealClock() : null;

  const hooks: ControllerHooks = {
    clock: steady ?? realClock,
    ...(steady !== null ? { onClockStep: (fn: (differenceMs: number) => void) => steady.onStep(fn) } : {}),
    newId: () => randomUUID(),
    hostname: () => hostname(),
    // a hang-up held since main.ts's first line is answered as one that comes now
    onSignal: (signal, handler) => {
      if (signal === 'SIGHUP' && hangUps !== null) {
        if (hangUps.take(handler)) handler();
      } else process.on(signal, handler);
    },
    isRoot: typeof process.getuid === 'function' && process.getuid() === 0,
    // before serve allocates anything much
    ...(serving ? { heapGrowth: limitHeapGrowth(process.execArgv, process.env['NODE_OPTIONS']) } : {}),
    // only serve is a daemon: a one-shot command run from a notify unit's ExecStartPre= must not say READY
    ...(serving ? { notify: createSdNotify(process.env, execRunner, process.pid) } : {}),
  };

  const program = {
    binary: 'xenherd-controller',
    description: 'The thin xenherd controller: agents report to it, it answers where each domU runs and routes migrations.',
    commands: [serveCommand(hooks), initCommand(hooks), enrollCommand(hooks), operatorCommand(hooks), revokeCommand(), tokensCommand(), renewCertCommand(hooks)],
    exitCodes: ['XH_ERR_USAGE', 'XH_ERR_CONFIG', 'XH_ERR_FILE', 'XH_ERR_REFUSED', 'XH_ERR_NOT_FOUND', 'XH_ERR_INTERNAL'],
  } satisfies Program;

  // a token is only ever printed on stdout (enroll, operator, init): whatever reaches stderr (an
  // argument echoed in a usage error, an unknown command) shows no secret
  const io = processIo();
  void runProgram(program, argv, { ...io, stderr: (text) => io.stderr(redactTokens(text)) }).then((code) => {
    process.exitCode = code;
    // serve has closed its server and links; nothing left may keep the process alive
    if (serving) process.exit(code);
  });
}
