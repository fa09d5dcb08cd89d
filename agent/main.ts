// Composition root of xenherd-agent: argv, the process's stdio and environment, signals,
// systemd notification, exit code.
import { exitCodeFor } from '../shared/errors.js';
import { migrate2Gate, refusalLines } from './cli/migrate2-gate.js';
import { onBrokenPipe } from './cli/broken-pipe.js';
import { holdHangUps } from '../shared/cli/hang-up-hold.js';

const argv = process.argv.slice(2);

// The daemon takes SIGHUP as `reload`, but its handler is in place only once its control socket
// listens: a hang-up before then (a reload during a slow start) took Node's default and killed the
// agent mid-start. Until then it is held (the file may have been edited after the start read it:
// cli/run.ts reloads once the agent is ready).
const hangUps = argv[0] === 'run' ? holdHangUps(process) : null;

onBrokenPipe(argv[0], [process.stdout, process.stderr], (code) => process.exit(code));

// An operator's `migrate2 --help` is answered as help. It can only come from a shell: sshd runs
// exactly the forced command of authorized_keys (`migrate2 --peer HOME`) and sets
// SSH_ORIGINAL_COMMAND, so nothing a peer sends reaches this branch.
const asksHelp = argv.length === 2 && (argv[1] === '--help' || argv[1] === '-h') && process.env['SSH_ORIGINAL_COMMAND'] === undefined;

// The ssh forced command checks its request before the rest of the agent is even loaded: a
// rejected line costs a few milliseconds and cannot reach any other code.
const gate = argv[0] === 'migrate2' && !asksHelp ? migrate2Gate(argv.slice(1), process.env) : null;
if (gate !== null && !gate.ok) {
  const l = refusalLines(gate.error);
  process.stdout.write(l.stdout);
  process.stderr.write(l.stderr);
  process.exitCode = exitCodeFor(gate.error.code);
} else {
  void import('./main-full.js').then((m) => m.main(argv, hangUps));
}
