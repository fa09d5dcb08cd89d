import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { sshdInstalled } from '../ssh/sshd.js';
import { launchLiveFleet, type LiveFleet } from '../playground/live-fleet.js';
import { buildBundles } from '../playground/processes.js';
import { FleetError, parseFleet } from './model/fleet-file.js';
import { startSim, type Sim } from './sim.js';

/**
 * `npm run sim -- FLEETFILE [--dir DIR] [--controller]`: starts a simulated fleet (real-time
 * clock) and prints, per host, the line that points a shell at it. With --controller it also
 * starts a controller and an agent daemon per powered-on Dom0 (real processes on loopback) and
 * prints the line for xenherdctl. Ctrl-C stops it and every process it started.
 */
const args = process.argv.slice(2);
const fleetPath = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--dir');
const dirIdx = args.indexOf('--dir');
const withController = args.includes('--controller');
if (!fleetPath) {
  process.stderr.write('usage: npm run sim -- FLEETFILE [--dir DIR] [--controller]\n');
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
    const sim = await startSim({ fleet, clock: 'real', ...(dirIdx >= 0 && args[dirIdx + 1] ? { dir: resolve(args[dirIdx + 1]!) } : {}) });
    printHosts(sim);
    say('Then type e.g. `xl list` or `drbdadm status`. Ctrl-C to stop.');
    return () => sim.stop();
  }
  const own = !(dirIdx >= 0 && args[dirIdx + 1]);
  const work = own ? mkdtempSync(join(tmpdir(), 'xenherd-playground-')) : resolve(args[dirIdx + 1]!);
  say('building the bundles, starting the simulator, a controller and one agent per Dom0 ...');
  let started: { bundles: Awaited<ReturnType<typeof buildBundles>>; live: LiveFleet };
  try {
    const bundles = await buildBundles(join(work, 'bin'));
    started = { bundles, live: await launchLiveFleet({ fleet, dir: work, bundles, withSsh: sshdInstalled() }) };
  } catch (e) {
    if (own) rmSync(work, { recursive: true, force: true });
    throw e;
  }
  const { bundles, live } = started;
  printHosts(live.sim);
  say('# xenherdctl, talking to the controller (its code cache kept in this fleet\'s directory):');
  say(`alias xenherdctl=${q(`XDG_CACHE_HOME=${q(join(work, 'cache'))} ${process.execPath} ${bundles.ctl}`)}`);
  // the controller's address and credentials; the rest of ctlEnv is for the processes this repo starts
  say(`export ${Object.entries(live.ctlEnv).filter(([k]) => k.startsWith('XENHERD_')).map(([k, v]) => `${k}=${q(v)}`).join(' ')}`);
  say('');
  say(`Then e.g. \`xenherdctl where 'web*'\`, \`xenherdctl hosts\`, \`xenherdctl status\`${live.ssh ? ', `xenherdctl migrate web1 xen2`, `xenherdctl reverse web1`' : ''}.`);
  if (!live.ssh) say('(OpenSSH is not installed: migrate and reverse need it, each asks the peer\'s forced command first; `apt-get install -y openssh-server openssh-client`)');
  say(`Files (each Dom0's /etc and state, the bundles): ${work}${own ? ', removed at the end' : ''}. Ctrl-C to stop everything.`);
  return async () => {
    await live.stop();
    if (own) rmSync(work, { recursive: true, force: true });
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

const stopper = await main().catch((e: unknown) => {
  process.stderr.write(`sim: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
let stopping = false;
const stop = async (): Promise<void> => {
  if (stopping) return;
  stopping = true;
  await stopper();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
