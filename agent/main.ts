// Composition root of xenherd-agent: argv, the process's stdio and environment, signals,
// systemd notification, exit code.
import { exitCodeFor } from '../shared/errors.js';
import { migrate2Gate, refusalLines } from './cli/migrate2-gate.js';

const argv = process.argv.slice(2);

// The ssh forced command checks its request before the rest of the agent is even loaded: a
// rejected line costs a few milliseconds and cannot reach any other code.
const gate = argv[0] === 'migrate2' ? migrate2Gate(argv.slice(1), process.env) : null;
if (gate !== null && !gate.ok) {
  const l = refusalLines(gate.error);
  process.stdout.write(l.stdout);
  process.stderr.write(l.stderr);
  process.exitCode = exitCodeFor(gate.error.code);
} else {
  void import('./main-full.js').then((m) => m.main(argv));
}
