import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { controllerBed } from '../api/controller-bed.js';
import { hostState } from '../states.js';
import { ctlFor } from './ctl-bed.js';
import { until } from '../../helpers/until.js';

// check --maintenance-warn: when a host left in maintenance with no job is a WARNING, passed to a
// controller served on 127.0.0.1, port 0 (it runs on the real clock: the host entered maintenance
// a moment ago); and asked for only when given, so an older controller still answers check.
const bed = controllerBed();
const TOKEN = `xh1.000000000000.${'a'.repeat(43)}`;
const MAINTENANCE = { state: 'maintenance', operationId: '3f2a9c01-77aa', owner: 'ctl-a' } as const;

/** A plain HTTP server on loopback answering BODY to every request, keeping each request's URL. */
async function recording(body: string): Promise<{ url: string; asked: string[] }> {
  const asked: string[] = [];
  const server = createServer((req, res) => {
    asked.push(req.url ?? '');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  onTestFinished(() => new Promise<void>((r) => server.close(() => r())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, asked };
}

describe('xenherdctl check --maintenance-warn', () => {
  it('a host the controller saw enter maintenance: OK by default (12 h), a WARNING past a threshold given, OK with off or 0', async () => {
    const c = await bed.start();
    const xen1 = await c.agent('xen1');
    xen1.hello();
    xen1.snapshot(hostState());
    const xen2 = await c.agent('xen2');
    xen2.hello();
    xen2.snapshot(hostState());
    await until(() => c.core.hosts().hosts.filter((h) => h.reachable).length === 2, 'both reachable', { limitMs: 10_000 });
    xen1.delta({ maintenance: MAINTENANCE });
    await until(() => c.core.hosts().hosts.some((h) => h.host === 'xen1' && h.maintenance.state === 'maintenance'), 'xen1 in maintenance', { limitMs: 10_000 });
    const ctl = ctlFor(c);
    const byDefault = await ctl(['check']);
    expect(byDefault.code, byDefault.stdout).toBe(0);
    // any time at all in maintenance is past 1 ms; asked until the controller's clock has moved that far
    let warned = await ctl(['check', '--maintenance-warn', '1ms']);
    for (let i = 0; i < 50 && warned.code === 0; i++) warned = await ctl(['check', '--maintenance-warn', '1ms']);
    expect(warned.code, warned.stdout).toBe(1);
    expect(warned.stdout).toMatch(/^XENHERD WARNING - xen1 in maintenance \d+ s \| /);
    expect(warned.stdout).toMatch(/\nWARNING: xen1: in maintenance \(owner ctl-a, op 3f2a9c01\) for \d+ s with no job of this controller on it; no domU homed there runs elsewhere: `xenherdctl restore xen1` brings it online \(/);
    for (const off of ['off', '0', '0s']) {
      const r = await ctl(['check', '--maintenance-warn', off, '--json']);
      expect(r.code, `${off}: ${r.stdout}`).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ status: 'OK', thresholds: { maintenanceWarnMs: 0 } });
    }
  });

  it('left out, it is not asked for, and an older controller answering without it is read; given, it is asked for and checked', async () => {
    const older = { at: 1, status: 'OK', summary: 'fine', details: [], perfdata: [], thresholds: { warnDeferredMs: 300_000, critDeferredMs: 900_000, notHomeAfterMs: 1_800_000 } };
    const s = await recording(JSON.stringify(older));
    const ctl = ctlFor(null);
    const plain = await ctl(['check'], { XENHERD_URL: s.url, XENHERD_TOKEN: TOKEN });
    expect([plain.code, plain.stdout]).toEqual([0, 'XENHERD OK - fine\n']);
    expect(s.asked).toEqual(['/v1/check?warnDeferredMs=300000&critDeferredMs=900000&notHomeAfterMs=1800000']);
    const given = await ctl(['check', '--maintenance-warn', '2h'], { XENHERD_URL: s.url, XENHERD_TOKEN: TOKEN });
    expect(s.asked[1]).toBe('/v1/check?warnDeferredMs=300000&critDeferredMs=900000&notHomeAfterMs=1800000&maintenanceWarnMs=7200000');
    // a controller that did not judge by it must not pass for an answer
    expect(given.code).toBe(3);
    expect(given.stdout).toMatch(/^XENHERD UNKNOWN - XH_ERR_PROTOCOL: the controller judged with other thresholds than asked/);
  });

  it('a bare number other than 0, or a word other than off, is refused naming the option', async () => {
    const env = { XENHERD_URL: 'https://127.0.0.1:1', XENHERD_TOKEN: TOKEN };
    const bare = await ctlFor(null)(['check', '--maintenance-warn', '12'], env);
    expect([bare.code, bare.stdout]).toEqual([3, 'XENHERD UNKNOWN - XH_ERR_USAGE: --maintenance-warn "12" has no unit: write 12s, 12m or 12h\n']);
    const never = await ctlFor(null)(['check', '--maintenance-warn', 'never'], env);
    expect([never.code, never.stdout]).toEqual([3, 'XENHERD UNKNOWN - XH_ERR_USAGE: --maintenance-warn "never" is not a duration (e.g. 90s, 15m, 1h)\n']);
  });
});
