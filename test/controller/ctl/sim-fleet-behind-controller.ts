import { afterEach } from 'vitest';
import { realClock as simRealClock, type SimClock } from '../../sim/daemon/clock.js';
import { controllerBed, type TestController } from '../api/controller-bed.js';
import { SPREAD } from '../jobs/jobs-bed.js';
import { SimFleet, type SimSpec } from '../jobs/sim-fleet.js';
import { until } from '../../helpers/until.js';

/** The jobs tests' SPREAD without b2, fast: 1 GiB migrates in about 0.5 s. */
export const THREE_DOM0S: SimSpec = { ...SPREAD, domus: SPREAD.domus.filter((d) => d.name !== 'b2'), bandwidthMiBps: 20_000 };

/**
 * For a test file: a real controller (HTTPS on 127.0.0.1, port 0) with simulated agents attached to
 * its core, on the real clock, for xenherdctl to drive; each test's fleet and clock end with it.
 */
export function simFleetBehindController(): (spec?: SimSpec) => Promise<{ c: TestController; sims: SimFleet }> {
  const bed = controllerBed();
  const clocks: SimClock[] = [];
  afterEach(() => {
    for (const c of clocks.splice(0)) c.stop();
  });
  return async (spec = THREE_DOM0S) => {
    const c = await bed.start({}, { quietMs: 200, retryDelayMs: 100 });
    const clock = simRealClock(Date.now());
    clocks.push(clock);
    const sims = new SimFleet(clock, spec);
    sims.connectAll(c.core);
    await until(() => c.core.hosts().hosts.filter((h) => h.reachable).length === spec.hosts.length, 'every agent reported', { limitMs: 10_000 });
    return { c, sims };
  };
}
