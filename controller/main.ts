// Composition root of xenherd-controller, its first part: what must come before the rest of the
// controller is even loaded. The rest (argv, stdio, the wall clock, signals, host name, ids) is
// main-full.ts.
import { holdHangUps } from '../shared/cli/hang-up-hold.js';

const argv = process.argv.slice(2);

// serve's SIGHUP handler is in place once it has read its config, TLS files and tokens: a hang-up
// before then (`systemctl reload`, logrotate's postrotate right after a start) took Node's default
// and killed it. Held from here, before the rest of the bundle is loaded, it is handed to serve's
// handler. (Node resets signal dispositions at its own start-up, so the moments before this line
// runs stay open.)
const hangUps = argv[0] === 'serve' ? holdHangUps(process) : null;

void import('./main-full.js').then((m) => m.main(argv, hangUps));
