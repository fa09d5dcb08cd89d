import { afterEach, describe, expect, it } from 'vitest';
import { realClock as simRealClock, type SimClock } from '../../sim/daemon/clock.js';
import { controllerBed, waitUntil, type TestController } from '../api/controller-bed.js';
import { SimFleet, type SimSpec } from '../jobs/sim-fleet.js';
import { ctlFor } from './ctl-bed.js';

const bed = controllerBed();
const clocks: SimClock[] = [];
afterEach(() => {
  for (const c of clocks.splice(0)) c.stop();
});

/** three domUs of xen1 whose moves by a drain are recent: a rebalance leaves them where they are */
const SPEC: SimSpec = {
  hosts: [{ name: 'xen1' }, { name: 'xen2' }, { name: 'xen3' }],
  domus: [
    { name: 'a1', home: 'xen1', replicas: ['xen1', 'xen2'], memMiB: 2048 },
    { name: 'a2', home: 'xen1', replicas: ['xen1', 'xen2'], memMiB: 1024 },
    { name: 'b1', home: 'xen1', replicas: ['xen1', 'xen3'], memMiB: 2048 },
    { name: 'c1', home: 'xen2', replicas: ['xen2', 'xen3'], memMiB: 1024 },
  ],
  bandwidthMiBps: 20_000,
};

/** A real controller (HTTPS on 127.0.0.1, port 0) with simulated agents attached to its core. */
async function fleet(spec: SimSpec = SPEC): Promise<{ c: TestController; sims: SimFleet }> {
  const c = await bed.start({}, { quietMs: 200, retryDelayMs: 100 });
  const clock = simRealClock(Date.now());
  clocks.push(clock);
  const sims = new SimFleet(clock, spec);
  sims.connectAll(c.core);
  await waitUntil(() => c.core.hosts().hosts.filter((h) => h.reachable).length === spec.hosts.length, 'every agent reported');
  return { c, sims };
}

const stamped = /^\d\d:\d\d:\d\d /gm;

describe('rebalance --apply with nothing to move', () => {
  it('says "the fleet is balanced" once, exit 0', async () => {
    const { c } = await fleet();
    const ctl = ctlFor(c);
    const r = await ctl(['rebalance', '--apply']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout.replace(stamped, '')).toMatch(/^rebalance: job job-t\d+\nrebalance: the fleet is balanced, nothing to move \(score \d\.\d{3}\)\n$/);
  });

  it('names each domU staying away once, then the code (exit 1)', async () => {
    const { c } = await fleet();
    const ctl = ctlFor(c);
    expect((await ctl(['drain', 'xen1'])).code).toBe(0);
    expect((await ctl(['maintenance', 'xen1', 'off'])).code).toBe(0);
    const r = await ctl(['rebalance', '--apply']);
    expect(r).toMatchObject({ code: 1, stderr: '' });
    const lines = r.stdout.replace(stamped, '').split('\n');
    expect(lines.slice(1, 3)).toEqual([expect.stringMatching(/^rebalance: nothing to move now \(score \d\.\d{3}\)$/), 'stay away from home (3):']);
    for (const name of ['a1', 'a2', 'b1']) expect(lines.filter((l) => l.includes(`xenherdctl reverse ${name}`))).toHaveLength(1);
    expect(lines.slice(-2)).toEqual(['XH_ERR_REFUSED: nothing moved; the 3 domU(s) above stay away from home', '']);
  });
});
