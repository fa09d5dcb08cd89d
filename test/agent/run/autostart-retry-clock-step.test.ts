import { afterEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../../shared/clock/clock.js';
import { creates, startFleet, type Fleet } from '../../harness/fleet.js';

// big1 cannot start on xen1 (more memory than the host has): guarded autostart retries it every
// 1 s, then at most every 5 s (TEST_TIMERS). xen1 booted with its system clock an hour ahead and
// NTP steps it back while those retries go on.
const FLEET = `
host xen1 mem=32768 cpus=8 toolstack=xl xen=4.17.7 drbd=8.4
host xen2 mem=32768 cpus=8 toolstack=xl xen=4.17.7 drbd=8.4
domu big1 mem=65536 vcpus=1 home=xen1 running=no
`;

let fleet: Fleet | undefined;
afterEach(async () => {
  await fleet?.stop();
  fleet = undefined;
});

/** the system clock of a Dom0: the simulator's time plus OFFSET, which a test steps; timers stay the simulator's */
function systemClock(inner: Clock, offset: number): Clock & { step(ms: number): void } {
  return { now: () => inner.now() + offset, schedule: (ms, fn) => inner.schedule(ms, fn), sleep: (ms) => inner.sleep(ms), step: (ms) => void (offset += ms) };
}

describe('autostart retries across a step of the system clock', () => {
  it('stepped back an hour: a failed start goes on being retried at its pace, not an hour later', async () => {
    const f = await startFleet(FLEET);
    fleet = f;
    f.sim.power('xen1', 'off');
    f.sim.power('xen1', 'on');
    const clock = systemClock(f.sim.clock, 60 * 60_000);
    f.startAgent('xen1', undefined, undefined, clock);
    await f.until(() => creates(f.sim, 'xen1', 'big1') >= 2, 'two failed starts of big1');
    await f.advance(5_000);
    const before = creates(f.sim, 'xen1', 'big1');
    clock.step(-60 * 60_000);
    await f.advance(60_000);
    // every 5 s at most: about 12 in the minute, at least some of them
    expect(creates(f.sim, 'xen1', 'big1') - before).toBeGreaterThanOrEqual(8);
  });
});
