// Composition root of xenherd-controller. The fleet service (agent links, where, drains) is built
// in a later issue; until then this binary answers --version and --help only, and says so.
import { processIo } from '../shared/cli/io.js';
import { runProgram } from '../shared/cli/program.js';

const program = {
  binary: 'xenherd-controller',
  description:
    'The thin xenherd controller: agents report to it, it answers where each domU runs and coordinates drains.\n' +
    'This release ships no controller service yet: only --version and --help work.',
  commands: [],
};

void runProgram(program, process.argv.slice(2), processIo()).then((code) => {
  process.exitCode = code;
});
