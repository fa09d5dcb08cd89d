// Composition root of xenherdctl, the operator's CLI for the controller. Its commands (where,
// hosts, drain, restore) arrive with the controller; until then --version and --help only.
import { processIo } from '../../shared/cli/io.js';
import { runProgram } from '../../shared/cli/program.js';

const program = {
  binary: 'xenherdctl',
  description:
    'Ask the xenherd controller where a domU runs, list hosts, drain and restore Dom0s.\n' +
    'This release ships no controller commands yet: only --version and --help work.',
  commands: [],
};

void runProgram(program, process.argv.slice(2), processIo()).then((code) => {
  process.exitCode = code;
});
