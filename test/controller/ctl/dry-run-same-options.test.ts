import { describe, expect, it } from 'vitest';
import type { SimSpec } from '../jobs/sim-fleet.js';
import { ctlFor } from './ctl-bed.js';
import { simFleetBehindController } from './sim-fleet-behind-controller.js';
import { until } from '../../helpers/until.js';

// A dry run plans what the real run would, with the same options: --cold-fallback places a domU
// on a Dom0 of an older Xen release (moved cold), which the plan without it leaves behind.
const PAIR: SimSpec = {
  hosts: [{ name: 'xen1' }, { name: 'xen2' }],
  domus: [{ name: 'a1', home: 'xen1', replicas: ['xen1', 'xen2'], memMiB: 1024 }],
  bandwidthMiBps: 20_000,
};
const fleet = simFleetBehindController();

async function olderXen2(): Promise<ReturnType<typeof ctlFor>> {
  const { c, sims } = await fleet(PAIR);
  const xen1 = sims.host('xen1');
  xen1.xen = { major: 4, minor: 17, version: '4.17.5' };
  xen1.reportTools();
  const xen2 = sims.host('xen2');
  xen2.xen = { major: 4, minor: 11, version: '4.11.4' };
  xen2.reportTools();
  await until(() => c.core.hosts().hosts.find((h) => h.host === 'xen2')?.xen?.minor === 11, "xen2's release reported", { limitMs: 10_000 });
  return ctlFor(c);
}

describe('--dry-run with --cold-fallback', () => {
  it('drain: the plan moves a1 to xen2 (an older Xen release), as the real drain would; without it a1 cannot leave', async () => {
    const ctl = await olderXen2();
    const live = await ctl(['drain', 'xen1', '--dry-run']);
    expect(live.code).toBe(1);
    expect(live.stdout).toContain("xen2 runs an older Xen release than the domU's Dom0");
    const cold = await ctl(['drain', 'xen1', '--dry-run', '--cold-fallback']);
    expect(cold.stdout.split('\n').slice(0, 3)).toEqual(['drain xen1: 1 move(s) in 1 set(s)', 'SET  DOMU  FROM  TO    MEM       WHY', '1    a1    xen1  xen2  1024 MiB  evacuate']);
    expect(cold.code).toBe(0);
  });

  it('roll: the groups are planned with the fallback too', async () => {
    const ctl = await olderXen2();
    expect((await ctl(['roll', 'xen1', '--dry-run'])).code).toBe(1);
    const cold = await ctl(['roll', 'xen1', '--dry-run', '--cold-fallback']);
    expect(cold.stdout).not.toMatch(/refused/);
    expect(cold.code).toBe(0);
  });

  it('plan drain and plan roll take --cold-fallback and plan as the drain and roll do; plan restore and rebalance refuse it', async () => {
    const ctl = await olderXen2();
    expect((await ctl(['plan', 'drain', 'xen1'])).code).toBe(1);
    const drain = await ctl(['plan', 'drain', 'xen1', '--cold-fallback']);
    expect([drain.code, drain.stdout.split('\n')[2]]).toEqual([0, '1    a1    xen1  xen2  1024 MiB  evacuate']);
    expect((await ctl(['plan', 'roll', 'xen1'])).code).toBe(1);
    expect((await ctl(['plan', 'roll', 'xen1', '--cold-fallback', '--group-size', '1'])).code).toBe(0);
    const restore = await ctl(['plan', 'restore', 'xen1', '--cold-fallback']);
    expect([restore.code, restore.stderr]).toEqual([2, expect.stringMatching(/plan restore takes no --cold-fallback: only plan drain and plan roll do/)]);
  });
});
