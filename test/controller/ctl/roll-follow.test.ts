import { afterEach, describe, expect, it } from 'vitest';
import { realClock as simRealClock, type SimClock } from '../../sim/daemon/clock.js';
import { controllerBed } from '../api/controller-bed.js';
import { SimFleet, type SimSpec } from '../jobs/sim-fleet.js';
import { ctlFor } from './ctl-bed.js';
import { until } from '../../helpers/until.js';

const bed = controllerBed();
const clocks: SimClock[] = [];
afterEach(() => {
  for (const c of clocks.splice(0)) c.stop();
});

const SPEC: SimSpec = {
  hosts: [{ name: 'xen1' }, { name: 'xen2' }],
  domus: [
    { name: 'a', home: 'xen1', replicas: ['xen1', 'xen2'], memMiB: 1024 },
    { name: 'b', home: 'xen2', replicas: ['xen1', 'xen2'], memMiB: 1024 },
  ],
  bandwidthMiBps: 20_000,
};

describe('xenherdctl roll, run again to follow it', () => {
  it('the follower does not run the reboot command again for a host the roll already rebooted (only the starter runs it)', async () => {
    const c = await bed.start({}, { quietMs: 200, retryDelayMs: 100 });
    const clock = simRealClock(Date.now());
    clocks.push(clock);
    const sims = new SimFleet(clock, SPEC);
    sims.connectAll(c.core);
    await until(() => c.core.hosts().hosts.filter((h) => h.reachable).length === 2, 'every agent reported', { limitMs: 10_000 });
    const ran: string[][] = [];
    const reboot = (who: string) => async (argv: readonly string[]): Promise<number> => {
      ran.push([who, ...argv]);
      const host = sims.host(argv[1] ?? '?');
      host.reboot();
      setTimeout(() => host.restartAgent([c.core]), 300);
      return 0;
    };
    const first = ctlFor(c, undefined, { runCommand: reboot('first') })(['roll', 'xen1', 'xen2', '--reboot-command', 'echo {host}']);
    await until(() => ran.length === 1, 'the first reboot', { limitMs: 10_000 });
    const again = await ctlFor(c, undefined, { runCommand: reboot('again') })(['roll', 'xen1', 'xen2', '--reboot-command', 'echo {host}']);
    const r = await first;
    expect([r.code, again.code]).toEqual([0, 0]);
    expect(ran).toEqual([
      ['first', 'echo', 'xen1'],
      ['first', 'echo', 'xen2'],
    ]);
    expect(again.stderr).toMatch(/not running the reboot command for xen1: this xenherdctl attached to roll job-/);
  });
});
