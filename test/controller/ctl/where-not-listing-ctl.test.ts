import { describe, expect, it } from 'vitest';
import { dom, hostState } from '../states.js';
import { controllerBed, type TestController } from '../api/controller-bed.js';
import { ctlFor } from './ctl-bed.js';
import { until } from '../../helpers/until.js';

const bed = controllerBed();

/** xen2 runs db1; xen1 is web1's home and says it cannot read its domains (xl list hangs): it reports none. */
async function fleetWithBlindDom0(): Promise<TestController> {
  const c = await bed.start();
  const xen2 = await c.agent('xen2');
  xen2.hello();
  xen2.snapshot(hostState({ domains: [dom('db1', { state: 'running' })], homes: [{ name: 'db1', peer: 'xen1', source: 'migrate-tab' }] }));
  const xen1 = await c.agent('xen1');
  xen1.hello({ capabilities: ['migrate', 'reverse', 'fleet-view', 'view-lag'] });
  xen1.snapshot(hostState({ homes: [{ name: 'web1', peer: 'xen2', source: 'migrate-tab' }] }));
  xen1.send({ type: 'view', at: Date.now(), view: 'unknown' });
  await until(() => c.core.hosts().hosts.filter((h) => h.reported).length === 2 && c.core.hosts().hosts.some((h) => h.host === 'xen1' && h.view === 'unknown'), 'both reported, xen1 unknown', { limitMs: 10_000 });
  return c;
}

describe('xenherdctl where, while a Dom0 cannot list its domains', () => {
  it('a domU homed there reads unknown and names that Dom0; -q says so too; one running elsewhere is unaffected', async () => {
    const c = await fleetWithBlindDom0();
    const r = await ctlFor(c)(['where', 'web1']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^web1 {2}- {2}unknown {2}home xen1 {2}as of \d+\.\d s, STALE \(it may run on xen1: its agent cannot read its domains \(xl list\) for \d+\.\d s\)\n$/);
    const q = await ctlFor(c)(['where', '-q', 'web1']);
    expect(q.code).not.toBe(0);
    expect(q.stderr).toMatch(/web1 runs on no host; web1 may run on xen1: its agent cannot read its domains \(xl list\) for \d+\.\d s/);
    const db = await ctlFor(c)(['where', 'db1']);
    expect(db.stdout).toMatch(/^db1 {2}xen2 {2}running {2}home xen2 {2}as of \d+\.\d s\n$/);
  });
});
