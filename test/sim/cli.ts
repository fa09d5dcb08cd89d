import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { startSim } from './sim.js';

/**
 * `npm run sim -- FLEETFILE [--dir DIR]`: starts a simulated fleet (real-time clock) and prints,
 * per host, the line that points a shell at it. Ctrl-C stops it and every process it started.
 */
const args = process.argv.slice(2);
const fleetPath = args.find((a) => !a.startsWith('--'));
const dirIdx = args.indexOf('--dir');
if (!fleetPath) {
  process.stderr.write('usage: npm run sim -- FLEETFILE [--dir DIR]\n');
  process.exit(64);
}
const sim = await startSim({ fleet: readFileSync(resolve(fleetPath), 'utf8'), clock: 'real', ...(dirIdx >= 0 && args[dirIdx + 1] ? { dir: resolve(args[dirIdx + 1]!) } : {}) });
const q = (v: string): string => `'${v.replace(/'/g, `'\\''`)}'`;
process.stdout.write(`xenherd fleet simulator running (socket ${sim.socketPath})\n\n`);
for (const host of Object.keys(sim.state().hosts).sort()) {
  const env = sim.env(host);
  const rest = Object.entries(env).filter(([k]) => k !== 'PATH').map(([k, v]) => `${k}=${q(v)}`).join(' ');
  process.stdout.write(`# be on ${host}:\nexport PATH=${q(sim.binDirFor(host))}:"$PATH" ${rest}\n\n`);
}
process.stdout.write('Then type e.g. `xl list` or `drbdadm status`. Ctrl-C to stop.\n');
const stop = async (): Promise<void> => {
  await sim.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
