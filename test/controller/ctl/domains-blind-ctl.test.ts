import { describe, expect, it } from 'vitest';
import { dom, hostState } from '../states.js';
import { controllerBed, type TestController } from '../api/controller-bed.js';
import { ctlFor } from './ctl-bed.js';
import { until } from '../../helpers/until.js';

const bed = controllerBed();

/** xen2 runs db1; xen1 ran web1, then said it cannot read its domains (xl list hangs) and reports none. */
async function fleetWithBlindDom0(): Promise<{ c: TestController; blindAt: number }> {
  const c = await bed.start();
  const xen2 = await c.agent('xen2');
  xen2.hello();
  xen2.snapshot(hostState({ domains: [dom('db1', { state: 'running' })] }));
  const xen1 = await c.agent('xen1');
  xen1.hello({ capabilities: ['migrate', 'reverse', 'fleet-view', 'view-lag'] });
  xen1.snapshot(hostState({ domains: [dom('web1', { state: 'running' })] }));
  await until(() => c.core.hosts().hosts.filter((h) => h.reported).length === 2, 'both reported', { limitMs: 10_000 });
  const blindAt = Date.now();
  xen1.send({ type: 'view', at: Date.now(), view: 'unknown' });
  xen1.delta({ domains: [] });
  await until(() => c.core.hosts().hosts.some((h) => h.host === 'xen1' && h.view === 'unknown'), 'xen1 unknown', { limitMs: 10_000 });
  return { c, blindAt };
}

describe('xenherdctl domains, while a Dom0 cannot list its domains', () => {
  it('its kept rows say since when its agent cannot read xl list, as where says it; --json carries the time', async () => {
    const { c, blindAt } = await fleetWithBlindDom0();
    const ctl = ctlFor(c);
    const r = await ctl(['domains']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^xen1 +web1 +running .* \d+\.\d s, STALE \(its agent cannot read xl list since \d\d:\d\d, for \d+\.\d s: the last row it read\)$/m);
    // a row its agent vouches for says nothing of it
    expect(r.stdout).toMatch(/^xen2 +db1 +running .* \d+\.\d s$/m);
    const j = JSON.parse((await ctl(['domains', '--json'])).stdout) as { domains: Array<{ name: string; viewUnknownSince?: number }> };
    const web1 = j.domains.find((d) => d.name === 'web1');
    expect(web1?.viewUnknownSince).toBeGreaterThanOrEqual(blindAt);
    expect(web1?.viewUnknownSince).toBeLessThanOrEqual(Date.now());
    expect(j.domains.find((d) => d.name === 'db1')).not.toHaveProperty('viewUnknownSince');
  });
});
