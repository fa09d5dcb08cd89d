import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { sshdInstalled } from '../ssh/sshd.js';
import { launchLiveFleet } from '../playground/live-fleet.js';
import { buildBundles } from '../playground/processes.js';
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
const fleet = readFileSync(resolve(fleetPath), 'utf8');
const q = (v: string): string => `'${v.replace(/'/g, `'\\''`)}'`;
const say = (t: string): void => void process.stdout.write(`${t}\n`);

async function main(): Promise<() => Promise<void>> {
  if (!withController) {
    const sim = await startSim({ fleet, clock: 'real', ...(dirIdx >= 0 && args[dirIdx + 1] ? { dir: resolve(args[dirIdx + 1]!) } : {}) });
    printHosts(sim);
    say('Then type e.g. `xl list` or `drbdadm status`. Ctrl-C to stop.');
    return () => sim.stop();
  }
  const work = dirIdx >= 0 && args[dirIdx + 1] ? resolve(args[dirIdx + 1]!) : mkdtempSync(join(tmpdir(), 'xenherd-playground-'));
  say('building the bundles, starting the simulator, a controller and one agent per Dom0 ...');
  const bundles = await buildBundles(join(work, 'bin'));
  const live = await launchLiveFleet({ fleet, dir: work, bundles, withSsh: sshdInstalled() });
  printHosts(live.sim);
  say('# xenherdctl, talking to the controller:');
  say(`alias xenherdctl=${q(`${process.execPath} ${bundles.ctl}`)}`);
  // the controller's address and credentials; the rest of ctlEnv is for the processes this repo starts
  say(`export ${Object.entries(live.ctlEnv).filter(([k]) => k.startsWith('XENHERD_')).map(([k, v]) => `${k}=${q(v)}`).join(' ')}`);
  say('');
  say(`Then e.g. \`xenherdctl where 'web*'\`, \`xenherdctl hosts\`, \`xenherdctl status\`${live.ssh ? ', `xenherdctl migrate web1 xen2`, `xenherdctl reverse web1`' : ''}.`);
  if (!live.ssh) say('(OpenSSH is not installed: migrate and reverse need it, each asks the peer\'s forced command first; `apt-get install -y openssh-server openssh-client`)');
  say(`Agent logs: ${work}; Ctrl-C to stop.`);
  return async () => {
    await live.stop();
    if (dirIdx < 0) rmSync(work, { recursive: true, force: true });
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
