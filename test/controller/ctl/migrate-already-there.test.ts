import { describe, expect, it } from 'vitest';
import { dom, hostState } from '../states.js';
import { controllerBed, type TestController } from '../api/controller-bed.js';
import { ctlFor } from './ctl-bed.js';
import { until } from '../../helpers/until.js';

// `xenherdctl migrate web01 xen2` when web01 already runs on xen2 alone: the state the operator (or a
// script) asked for holds, so it is done, not refused; a doubt about where web01 runs keeps the refusal.
const bed = controllerBed();

async function fleet(c: TestController) {
  const xen1 = await c.agent('xen1');
  xen1.hello();
  xen1.snapshot(hostState({ domains: [dom('db1')] }));
  const xen2 = await c.agent('xen2');
  xen2.hello();
  xen2.snapshot(hostState({ domains: [dom('web01')] }));
  await until(() => c.core.hosts().hosts.filter((h) => h.reported).length === 2, 'both hosts reported', { limitMs: 10_000 });
  return { xen1, xen2 };
}

describe('xenherdctl migrate NAME HOST when NAME already runs on HOST', () => {
  it('exits 0 saying so and as of when; nothing is sent to either agent', async () => {
    const c = await bed.start();
    const { xen1, xen2 } = await fleet(c);
    const ctl = ctlFor(c);
    const r = await ctl(['migrate', 'web01', 'xen2']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toMatch(/^web01 already runs on xen2 \(as of [\d.]+ s ago\): nothing to migrate\n$/);
    const j = await ctl(['migrate', '--json', 'web01', 'xen2']);
    expect(j.code).toBe(0);
    expect(JSON.parse(j.stdout)).toEqual({ type: 'result', ok: true, code: null, message: expect.stringMatching(/^web01 already runs on xen2 /), detail: null });
    expect([xen1.of('command'), xen2.of('command')]).toEqual([[], []]);
  });

  it('running on HOST and on another Dom0 too, or HOST no longer heard: still refused (77)', async () => {
    const c = await bed.start();
    const { xen1, xen2 } = await fleet(c);
    const ctl = ctlFor(c);
    xen1.delta({ domains: [dom('db1'), dom('web01')] });
    await until(() => JSON.stringify(c.core.where('web01')).includes('"xen1"'), 'web01 seen on xen1 too', { limitMs: 10_000 });
    const two = await ctl(['migrate', 'web01', 'xen2']);
    expect([two.code, two.stdout]).toEqual([77, '']);
    expect(two.stderr).toMatch(/XH_ERR_REFUSED: web01 runs on xen1 and xen2: settle that first \(xenherdctl status, and "DRBD split brain" in the README\)\n/);
    xen1.delta({ domains: [dom('db1')] });
    xen2.link.close(1000, 'gone');
    await until(() => c.core.hosts().hosts.some((h) => h.host === 'xen2' && !h.linkUp) && !JSON.stringify(c.core.where('web01')).includes('"xen1"'), 'xen2 down, web01 gone from xen1', { limitMs: 10_000 });
    const stale = await ctl(['migrate', 'web01', 'xen2']);
    expect([stale.code, stale.stdout]).toEqual([77, '']);
    expect(stale.stderr).toMatch(/XH_ERR_REFUSED: web01 already runs on xen2\n/);
  });
});
