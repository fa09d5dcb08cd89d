import { describe, expect, it } from 'vitest';
import { hostState } from '../states.js';
import { controllerBed } from '../api/controller-bed.js';
import { ctlFor } from './ctl-bed.js';
import { until } from '../../helpers/until.js';

// What an operator's xenherdctl prints of a Dom0 whose agent cannot write its records (its state
// dir full) and of one nearly full, through the controller's real API: hosts, status and check.
const bed = controllerBed();
const GiB = 1024 ** 3;

describe("xenherdctl on an agent's full or nearly full state dir", () => {
  it('hosts and status show it in the host\'s STATE with check\'s line under the table; check pages CRITICAL', async () => {
    const c = await bed.start();
    const at = new Date().toISOString();
    const xen1 = await c.agent('xen1');
    xen1.hello();
    xen1.snapshot(hostState({ stateDisks: [{ role: 'state', dir: '/var/lib/xenherd', freeBytes: 0, totalBytes: 20 * GiB, readAt: at, failure: { code: 'ENOSPC', at, what: 'the migration ledger' } }] }));
    const xen2 = await c.agent('xen2');
    xen2.hello();
    xen2.snapshot(hostState({ stateDisks: [{ role: 'runtime', dir: '/run/xenherd', freeBytes: 10 * 1024 ** 2, totalBytes: 400 * 1024 ** 2, readAt: at, failure: null }] }));
    await until(() => c.core.hosts().hosts.filter((h) => h.reported).length === 2, 'both hosts reported', { limitMs: 10_000 });
    const ctl = ctlFor(c);
    const h = await ctl(['hosts']);
    expect([h.code, h.stderr]).toEqual([0, '']);
    expect(h.stdout).toMatch(/^xen1 +reachable, cannot write records +/m);
    expect(h.stdout).toMatch(/^xen2 +reachable, low on disk +/m);
    expect(h.stdout).toMatch(/^CRITICAL: xen1: its agent cannot write under \/var\/lib\/xenherd: no space left on the device \(0 B free of 20 GiB, 0\.0 %; the migration ledger failed at .*\): its migration ledger cannot record/m);
    expect(h.stdout).toMatch(/^WARNING: xen2: the filesystem holding \/run\/xenherd is nearly full \(10 MiB free of 400 MiB, 2\.5 %\): once it is, autostart cannot record/m);
    const s = await ctl(['status']);
    expect(s.stdout).toMatch(/^CRITICAL: xen1: its agent cannot write under \/var\/lib\/xenherd/m);
    const k = await ctl(['check']);
    expect(k.code).toBe(2);
    expect(k.stdout).toMatch(/^XENHERD CRITICAL - xen1 cannot write \/var\/lib\/xenherd/);
    const j = JSON.parse((await ctl(['hosts', '--json'])).stdout);
    expect(j.hosts[0].stateDisks[0]).toMatchObject({ role: 'state', freeBytes: 0, failure: { code: 'ENOSPC' } });
  });
});
