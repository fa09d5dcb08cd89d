import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { LinkDrbdResource } from '../../../shared/protocol/agent-link-state.js';
import { controllerBed, type TestController } from '../api/controller-bed.js';
import { dom, guarded, hostState, primary } from '../states.js';
import { ctlFor } from './ctl-bed.js';
import { until } from '../../helpers/until.js';

// `xenherdctl drbd`: the fleet's DRBD resources in one view, through the real API on a real socket
const bed = controllerBed();

const config = { name: 'db1', source: 'guarded' as const, memMiB: 512, vcpus: 1, resources: [{ name: 'r2', hosts: ['xen1', 'xen2'] }] };
const cut = (peer: string): LinkDrbdResource => ({ ...primary('r2', peer), peers: [{ name: peer, role: 'Unknown', connection: 'Connecting', disk: 'DUnknown', replication: null }] });

/** db1 runs on xen1 on r2 (xen1/xen2); web1 on xen1 on r7, whose DRBD 8.4 link ("peer") is up. */
async function fleet(c: TestController, r2OnXen1: LinkDrbdResource = primary('r2', 'xen2')) {
  const r7 = (role: 'Primary' | 'Secondary', peerRole: 'Primary' | 'Secondary'): LinkDrbdResource => ({ ...primary('r7', 'peer', role, peerRole) });
  const web = { name: 'web1', source: 'guarded' as const, memMiB: 512, vcpus: 1, resources: [{ name: 'r7', hosts: ['xen1', 'xen2'] }] };
  const xen1 = await c.agent('xen1');
  xen1.hello();
  xen1.snapshot(hostState({ domains: [dom('db1'), dom('web1')], guarded: [guarded('db1', ['r2']), guarded('web1', ['r7'])], domus: [config, web], drbd: { availability: 'ok', resources: [r2OnXen1, r7('Primary', 'Secondary')] } }));
  const xen2 = await c.agent('xen2');
  xen2.hello();
  xen2.snapshot(hostState({ guarded: [guarded('db1', ['r2']), guarded('web1', ['r7'])], domus: [config, web], drbd: { availability: 'ok', resources: [primary('r2', 'xen1', 'Secondary', 'Primary'), r7('Secondary', 'Primary')] } }));
  await until(() => c.core.hosts().hosts.filter((h) => h.reported).length === 2, 'both hosts reported', { limitMs: 10_000 });
  return { xen1, xen2 };
}

describe('xenherdctl drbd', () => {
  it('a healthy fleet: one line per resource sorted by name, each side and its connection, exit 0 with a read token', async () => {
    const c = await bed.start();
    await fleet(c);
    const r = await ctlFor(c, await c.operator('nagios', 'read'))(['drbd']);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout.split('\n')).toEqual([
      'RESOURCE  DOMU  SIDES                                           CONNECTION                      FLAGS',
      'r2        db1   xen1 Primary/UpToDate, xen2 Secondary/UpToDate  xen1 Connected, xen2 Connected  ok',
      'r7        web1  xen1 Primary/UpToDate, xen2 Secondary/UpToDate  xen1 Connected, xen2 Connected  ok',
      '',
    ]);
  });

  it("xen2's agent gone and the link cut: exit 2, xen2's side as it last reported it, stale, and the flags", async () => {
    const c = await bed.start();
    const { xen2 } = await fleet(c, cut('xen2'));
    xen2.link.close(1000, 'power lost');
    await until(() => c.core.hosts().hosts.some((h) => h.host === 'xen2' && !h.reachable), 'xen2 unreachable', { limitMs: 10_000 });
    const ctl = ctlFor(c);
    const r = await ctl(['drbd', 'db1']);
    expect([r.code, r.stderr]).toEqual([2, '']);
    const line = r.stdout.split('\n')[1] ?? '';
    expect(line).toMatch(/^r2 +db1 +xen1 Primary\/UpToDate, xen2 Secondary\/UpToDate \(stale\) +xen1 Connecting, xen2 Connected \(stale\) +not connected \(as xen1 reports\): writes do not replicate; xen2 unheard: its state as last reported \d+ s ago \(stale\)$/);
    const j = await ctl(['drbd', '--json', 'r2']);
    expect(j.code).toBe(2);
    const a = JSON.parse(j.stdout) as { pattern: string; resources: Array<{ name: string; ok: boolean; flags: Array<{ kind: string }>; sides: Array<{ host: string; reachable: boolean }> }> };
    expect([a.pattern, a.resources.map((x) => [x.name, x.ok, x.flags.map((f) => f.kind), x.sides.map((s) => [s.host, s.reachable])])]).toEqual(['r2', [['r2', false, ['not-connected', 'stale'], [['xen1', true], ['xen2', false]]]]]);
  });

  it('several patterns: each resource once, sorted; a pattern matching nothing named on stderr, exit 1', async () => {
    const c = await bed.start();
    await fleet(c);
    const r = await ctlFor(c)(['drbd', 'web1', 'nope', 'r*']);
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n').slice(1).map((l) => l.split(' ')[0])).toEqual(['r2', 'r7', '']);
    expect(r.stderr).toBe('xenherdctl: XH_ERR_NOT_FOUND: no DRBD resource, nor a domU using one, matches nope (xenherdctl drbd lists them all)\n');
    const bad = await ctlFor(c)(['drbd', 'a b']);
    expect(bad.code).toBe(64);
  });

  it('a controller older than the command (no /v1/drbd): a protocol error (89) saying so, not "nothing matched"', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'XH_ERR_NOT_FOUND', message: 'no API GET /drbd: see shared/protocol/ctl-api.ts and ctl-jobs.ts' } }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    onTestFinished(() => new Promise<void>((r) => server.close(() => r())));
    const r = await ctlFor(null)(['drbd'], { XENHERD_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, XENHERD_TOKEN: `xh1.000000000000.${'a'.repeat(43)}` });
    expect(r.code).toBe(89);
    expect(r.stderr).toMatch(/^xenherdctl: XH_ERR_PROTOCOL: the controller does not answer GET \/v1\/drbd: it is older than this xenherdctl; upgrade it/);
  });
});
