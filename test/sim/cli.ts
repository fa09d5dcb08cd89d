import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { sshdInstalled } from '../ssh/sshd.js';
import { launchLiveFleet, type LiveFleet } from '../playground/live-fleet.js';
import { buildBundles } from '../playground/processes.js';
import { FleetError, parseFleet } from './model/fleet-file.js';
import { parseArgv } from '../../shared/cli/argv.js';
import { startSim, type Sim } from './sim.js';
import { playgroundHint } from './playground-hint.js';
import { attachConsole } from './control/console.js';
import { TOOL_NAMES } from './tools/index.js';

/**
 * `npm run sim -- FLEETFILE [--dir DIR] [--controller]`: starts a simulated fleet (real-time
 * clock) and prints, per host, the line that points a shell at it. With --controller it also
 * starts a controller and an agent daemon per powered-on Dom0 (real processes on loopback) and
 * prints the line for xenherdctl. Ctrl-C stops it and every process it started. Incidents
 * (`power xen1 off`, `drbd r1 split-brain`, `help` ...) are typed on its stdin: control/.
 */
const USAGE = 'usage: npm run sim -- FLEETFILE [--dir DIR] [--controller]';
// the shared argv reader: an option it does not know (`--controler`) is refused, not taken for a
// plain simulator the operator did not ask for
const parsed = parseArgv(process.argv.slice(2), [
  { name: 'dir', takesValue: true },
  { name: 'controller', takesValue: false },
  { name: 'help', takesValue: false, short: 'h' },
]);
if (!parsed.ok) {
  process.stderr.write(`sim: ${parsed.error.message}; ${USAGE}\n`);
  process.exit(64);
}
if (parsed.value.options['help'] === true) {
  process.stdout.write(`${USAGE}\n  --controller  also a controller and an agent per powered-on Dom0, and the line for xenherdctl\n  --dir DIR     keep the fleet's files in DIR (default: a temp dir, removed at the end)\n`);
  process.exit(0);
}
const fleetPath = parsed.value.positionals[0];
const dirOption = parsed.value.options['dir'];
const givenDir = typeof dirOption === 'string' && dirOption !== '' ? resolve(dirOption) : null;
const withController = parsed.value.options['controller'] === true;
if (fleetPath === undefined || parsed.value.positionals.length > 1) {
  process.stderr.write(`sim: ${fleetPath === undefined ? 'no fleet file given' : `one fleet file, not ${parsed.value.positionals.length}`}; ${USAGE}\n`);
  process.exit(64);
}
let fleet: string;
try {
  fleet = readFileSync(resolve(fleetPath), 'utf8');
  // checked before anything is built or started: a typo is named at once, and nothing is left behind
  parseFleet(fleet);
} catch (e) {
  const why = e instanceof FleetError ? e.message : (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
  process.stderr.write(`sim: ${fleetPath}: ${why} (the fleet file format: test/sim/README.md, "Fleet file"; an example: test/sim/example.fleet)\n`);
  process.exit(64);
}
const q = (v: string): string => `'${v.replace(/'/g, `'\\''`)}'`;
const say = (t: string): void => void process.stdout.write(`${t}\n`);

async function main(): Promise<() => Promise<void>> {
  if (!withController) {
    const sim = await startSim({ fleet, clock: 'real', ...(givenDir !== null ? { dir: givenDir } : {}) });
    printHosts(sim);
    say('Then type e.g. `xl list` or `drbdadm status`. Ctrl-C to stop.');
    startConsole(sim, null);
    return async () => {
      await sim.stop();
      say(`sim: stopped${givenDir === null ? ', its files removed' : ''}.`);
    };
  }
  const own = givenDir === null;
  const work = givenDir ?? mkdtempSync(join(tmpdir(), 'xenherd-playground-'));
  if (own) startupDir = work;
  say('building the bundles, starting the simulator, a controller and one agent per Dom0 ...');
  let started: { bundles: Awaited<ReturnType<typeof buildBundles>>; live: LiveFleet };
  try {
    const bundles = await buildBundles(join(work, 'bin'));
    started = { bundles, live: await launchLiveFleet({ fleet, dir: work, bundles, withSsh: sshdInstalled(), onProgress: (l) => say(`... ${l}`) }) };
  } catch (e) {
    if (own) rmSync(work, { recursive: true, force: true });
    throw e;
  }
  const { bundles, live } = started;
  printHosts(live.sim);
  // the bundle the Dom0s' agents run: a shell given a Dom0's line needs no build of its own
  say('# xenherd-agent, on the Dom0 whose line the shell was given (e.g. `xenherd-agent autostart status` asks its running agent):');
  say(`alias xenherd-agent=${q(`${q(process.execPath)} ${q(bundles.agent)}`)}\n`);
  say('# xenherdctl, talking to the controller (its code cache kept in this fleet\'s directory):');
  say(`alias xenherdctl=${q(`XDG_CACHE_HOME=${q(join(work, 'cache'))} ${process.execPath} ${bundles.ctl}`)}`);
  // the controller's address and credentials; the rest of ctlEnv is for the processes this repo starts
  say(`export ${Object.entries(live.ctlEnv).filter(([k]) => k.startsWith('XENHERD_')).map(([k, v]) => `${k}=${q(v)}`).join(' ')}`);
  say('');
  say(playgroundHint(live.sim.state(), live.ssh !== null));
  if (!live.ssh) say('(OpenSSH is not installed: migrate and reverse need it, each asks the peer\'s forced command first; `apt-get install -y openssh-server openssh-client`)');
  say(`Files (each Dom0's /etc and state, the bundles): ${work}${own ? ', removed at the end' : ''}. Ctrl-C to stop everything.`);
  say(`Logs (what the controller and each agent would write to the journal): ${live.logDir}/controller.log, ${live.logDir}/HOST.log`);
  startConsole(live.sim, live);
  return async () => {
    await live.stop();
    if (own) rmSync(work, { recursive: true, force: true });
    say(`playground stopped: the simulator, the controller, every agent and sshd it started have ended${own ? `; ${work} removed` : `; ${work} kept`}.`);
  };
}

function printHosts(sim: Sim): void {
  say(`xenherd fleet simulator running (socket ${sim.socketPath})\n`);
  for (const host of Object.keys(sim.state().hosts).sort()) {
    const env = sim.env(host);
    const rest = Object.entries(env).filter(([k]) => k !== 'PATH').map(([k, v]) => `${k}=${q(v)}`).join(' ');
    say(`# be on ${host}:\nexport PATH=${q(sim.binDirFor(host))}:"$PATH" ${rest}\n`);
  }
}

/** incidents typed on stdin: test/sim/control/ (reading stdin, and why its end stops nothing: console.ts) */
function startConsole(sim: Sim, live: LiveFleet | null): void {
  const s = sim.state();
  const names = { hosts: Object.keys(s.hosts).sort(), resources: Object.keys(s.drbd).sort(), domus: Object.keys(s.domus).sort(), tools: TOOL_NAMES };
  const h = names.hosts[0] ?? 'HOST';
  const r = names.resources[0];
  say(`Incidents: type \`power ${h} off\`${r !== undefined ? `, \`drbd ${r} disconnect\`` : ''}${live ? `, \`agent ${h} stop\`` : ''}, \`state\` ... here, in this terminal; \`help\` lists them.`);
  // Ctrl-C at a terminal reaches the agents too, and each ends before this process stops it: its
  // exit is then the playground stopping, not news calling for `agent HOST start`
  attachConsole(process.stdin, (line) => void (stopping ? undefined : say(line)), { sim, live }, names);
}

/** the temp dir of a playground still starting: a second Ctrl-C then removes it and ends at once */
let startupDir: string | null = null;
let stopper: (() => Promise<void>) | null = null;
let interrupted = false;
let stopping = false;
const stop = async (): Promise<void> => {
  if (stopping || stopper === null) return;
  stopping = true;
  await stopper();
  process.exit(interrupted ? 130 : 0);
};
// Ctrl-C while the bundles build and the processes start: stop as soon as they have started, so
// that everything they made is stopped and removed; a second one gives up on that and goes now
const interrupt = (): void => {
  if (stopper !== null) return void stop();
  if (interrupted) {
    if (startupDir !== null) rmSync(startupDir, { recursive: true, force: true });
    process.exit(130);
  }
  interrupted = true;
  process.stderr.write('sim: stopping as soon as everything has started (Ctrl-C again: now, leaving what has started)\n');
};
process.on('SIGINT', interrupt);
process.on('SIGTERM', interrupt);
stopper = await main().catch((e: unknown) => {
  process.stderr.write(`sim: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
startupDir = null;
if (interrupted) await stop();
