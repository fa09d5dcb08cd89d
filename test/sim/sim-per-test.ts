import { afterEach } from 'vitest';
import { startSim, type Sim, type StartSimOptions } from './sim.js';

/**
 * Simulators a test starts, each stopped after the test (also when it fails): call once at the top
 * of a test file, and start with what it returns.
 */
export function simPerTest(): (opts: StartSimOptions) => Promise<Sim> {
  const running: Sim[] = [];
  afterEach(async () => {
    for (const s of running.splice(0)) await s.stop();
  });
  return async (opts) => {
    const s = await startSim(opts);
    running.push(s);
    return s;
  };
}

/** `drbdadm ARGV` on HOST as [exit code, stdout, stderr]: one value a test compares whole. */
export async function drbdadmOn(s: Sim, host: string, ...argv: string[]): Promise<[number, string, string]> {
  const r = await s.run(host, 'drbdadm', argv);
  return [r.exitCode, r.stdout, r.stderr];
}
