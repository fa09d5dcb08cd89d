import { request } from 'node:https';
import { describe, expect, it } from 'vitest';
import type { LinkGuarded } from '../../../shared/protocol/agent-link-state.js';
import type { CommandOutcome } from '../../../shared/protocol/ctl-api.js';
import { DEFAULT_CHECK_THRESHOLDS } from '../../../shared/protocol/ctl-check.js';
import { parsePrometheusText, type ParsedFamily } from '../../helpers/prometheus-text-parser.js';
import { dom, guarded, hostState, primary } from '../states.js';
import { controllerBed, type TestController } from './controller-bed.js';
import { until } from '../../helpers/until.js';

// GET /metrics on a controller served on 127.0.0.1, port 0: the read token's auth, the text
// format read back by a strict parser, and the values after a few things happened.
const bed = controllerBed();

interface TextAnswer {
  readonly status: number;
  readonly type: string;
  readonly body: string;
}

function get(c: TestController, path: string, token: string | null, method = 'GET'): Promise<TextAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, c.url), { method, ca: c.caPem, headers: token === null ? {} : { authorization: `Bearer ${token}` } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const HOSTILE_VERSION = '0.1.0 "quoted" back\\slash\nnewline';

async function scrape(c: TestController, token = c.adminToken): Promise<Map<string, ParsedFamily>> {
  const r = await get(c, '/metrics', token);
  expect(r.status, r.body).toBe(200);
  expect(r.type).toBe('text/plain; version=0.0.4; charset=utf-8');
  return new Map(parsePrometheusText(r.body).map((f) => [f.name, f]));
}

/** The sample NAME with these labels, whatever family holds it (a histogram's _bucket, _sum, _count). */
const value = (fs: Map<string, ParsedFamily>, name: string, labels: Record<string, string> = {}): number | undefined =>
  [...fs.values()].flatMap((f) => f.samples).find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

describe('GET /metrics', () => {
  it('needs a token with the read role: none is 401, an agent token 403; GET only (405); it lives outside /v1', async () => {
    const c = await bed.start();
    expect((await get(c, '/metrics', null)).status).toBe(401);
    expect((await get(c, '/metrics', await c.enroll('xen1'))).status).toBe(403);
    expect((await get(c, '/metrics', await c.operator('prom', 'read'))).status).toBe(200);
    expect((await get(c, '/metrics', c.adminToken, 'POST')).status, 'a known path, a method it does not take').toBe(405);
    expect((await get(c, '/v1/metrics', c.adminToken)).status).toBe(404);
  });

  it('every family has HELP and TYPE, a xenherd_ name (the process\'s memory: the names Node\'s Prometheus client gives it), and the values the fleet shows; hostile agent versions are escaped', async () => {
    const c = await bed.start();
    const xen1 = await c.agent('xen1');
    xen1.hello({ agentVersion: HOSTILE_VERSION, capabilities: ['migrate', 'reverse', 'fleet-view'] });
    xen1.snapshot(hostState({ domains: [dom('web01'), dom('db01', { state: 'running' })], homes: [{ name: 'web01', peer: 'xen2', source: 'migrate-tab' }], guarded: [guarded('web01', ['r1'])], drbd: { availability: 'ok', resources: [primary('r1', 'xen2')] } }));
    const xen2 = await c.agent('xen2');
    xen2.hello();
    xen2.snapshot(hostState({ domains: [dom('db01')], maintenance: { state: 'draining', operationId: 'op-1', owner: 'ctl' } }));
    await until(() => c.core.hosts().hosts.filter((h) => h.reachable).length === 2, 'both reachable', { limitMs: 10_000 });

    const fs = await scrape(c, await c.operator('prom', 'read'));
    for (const f of fs.values()) {
      expect(f.name).toMatch(/^(xenherd_[a-z_]+|process_resident_memory_bytes|nodejs_(heap_size_total|heap_size_used|external_memory|array_buffers)_bytes)$/);
      expect(f.help, f.name).toMatch(/\S/);
      expect(f.type, f.name).toMatch(/^(gauge|counter|histogram)$/);
      if (f.type === 'counter') expect(f.name).toMatch(/_total$/);
    }
    expect(value(fs, 'xenherd_agents_connected')).toBe(2);
    expect(value(fs, 'xenherd_hosts_by_reachability', { reachability: 'reachable' })).toBe(2);
    expect(value(fs, 'xenherd_hosts_by_reachability', { reachability: 'unreachable' })).toBe(0);
    expect(value(fs, 'xenherd_hosts_by_maintenance_state', { state: 'online' })).toBe(1);
    expect(value(fs, 'xenherd_hosts_by_maintenance_state', { state: 'draining' })).toBe(1);
    expect(value(fs, 'xenherd_hosts_by_maintenance_state', { state: 'maintenance' })).toBe(0);
    expect(value(fs, 'xenherd_host_maintenance_state_since_timestamp_seconds', { host: 'xen2', state: 'draining' })).toBeCloseTo(Date.now() / 1000, -2);
    expect(value(fs, 'xenherd_agent_info', { host: 'xen1', version: HOSTILE_VERSION })).toBe(1);
    expect(value(fs, 'xenherd_domus_by_state', { state: 'blocked' })).toBe(2);
    expect(value(fs, 'xenherd_domus_by_state', { state: 'running' })).toBe(1);
    expect(value(fs, 'xenherd_domus_by_state', { state: 'paused' })).toBe(0);
    expect(value(fs, 'xenherd_alerts', { kind: 'running-on-two-hosts' })).toBe(1);
    expect(value(fs, 'xenherd_alerts', { kind: 'drbd-primary-on-both' })).toBe(0);
    expect(value(fs, 'xenherd_agent_snapshots_received_total')).toBe(2);
    expect(value(fs, 'xenherd_agent_deltas_received_total')).toBe(0);
    expect(value(fs, 'xenherd_process_resident_memory_bytes')).toBeGreaterThan(1e6);
    // what stock Node.js dashboards read; resident is the heap, what lies outside it and the code
    const memory = ['process_resident_memory_bytes', 'nodejs_heap_size_total_bytes', 'nodejs_heap_size_used_bytes', 'nodejs_external_memory_bytes', 'nodejs_array_buffers_bytes'];
    for (const name of memory) expect(fs.get(name)?.type, name).toBe('gauge');
    const [resident, heapTotal, heapUsed, external, arrayBuffers] = memory.map((name) => value(fs, name) ?? Number.NaN);
    expect(heapUsed).toBeGreaterThan(1e6);
    expect(heapTotal).toBeGreaterThanOrEqual(heapUsed ?? Number.NaN);
    expect(resident).toBeGreaterThan(heapUsed ?? Number.NaN);
    expect(arrayBuffers).toBeGreaterThan(0);
    expect(external).toBeGreaterThanOrEqual(arrayBuffers ?? Number.NaN);
    expect(fs.get('xenherd_event_loop_lag_seconds')?.type).toBe('gauge');

    xen1.delta({ domains: [dom('web01')] });
    xen1.delta({ memory: { totalMiB: 65536, freeMiB: 1024 } });
    await until(() => c.core.monitor.metrics().deltasReceived === 2, 'two deltas counted', { limitMs: 10_000 });
    const after = await scrape(c);
    expect(value(after, 'xenherd_agent_deltas_received_total')).toBe(2);
    expect(value(after, 'xenherd_alerts', { kind: 'running-on-two-hosts' })).toBe(0);
    // the first scrape started the pause counting; from the second on, the series are there
    expect(after.get('xenherd_gc_pauses_total')?.type).toBe('counter');
    expect(value(after, 'xenherd_gc_pauses_total')).toBeGreaterThanOrEqual(0);
    expect(value(after, 'xenherd_gc_pause_seconds_total')).toBeGreaterThanOrEqual(0);
    expect(after.get('xenherd_gc_pause_longest_seconds')?.type).toBe('gauge');
  });

  it('migrations: in flight while the agent works, then their duration in the histogram by outcome', async () => {
    const c = await bed.start();
    const xen1 = await c.agent('xen1');
    xen1.hello();
    xen1.snapshot(hostState({ domains: [dom('web01'), dom('web02')] }));
    const xen2 = await c.agent('xen2');
    xen2.hello();
    xen2.snapshot(hostState({ domains: [] }));
    await until(() => c.core.hosts().hosts.filter((h) => h.reachable).length === 2, 'xen1 and xen2 reachable', { limitMs: 10_000 });
    const pending: string[] = [];
    xen1.onCommand((cmd) => pending.push(cmd.commandId));
    const outcomes: CommandOutcome[] = [];
    const sink = { progress: () => undefined, done: (o: CommandOutcome) => void outcomes.push(o) };
    for (const name of ['web01', 'web02']) expect(c.core.command({ op: 'migrate', name, target: null }, { name: 'test' }, sink).ok).toBe(true);
    await until(() => pending.length === 2, 'both commands at the agent', { limitMs: 10_000 });
    const during = await scrape(c);
    expect(value(during, 'xenherd_migrations_in_flight')).toBe(2);
    expect(value(during, 'xenherd_migration_duration_seconds_count', { outcome: 'ok' })).toBe(0);

    // as real agents do: both report the move, so the controller's reports confirm the agent's "ok"
    xen1.delta({ domains: [dom('web02')] });
    xen2.delta({ domains: [dom('web01')] });
    xen1.result(pending[0] as string, { ok: true, code: null, message: 'migrated', detail: null });
    xen1.result(pending[1] as string, { ok: false, code: 'XH_ERR_MIGRATION_FAILED', message: 'failed', detail: null });
    await until(() => outcomes.length === 2, 'both results', { limitMs: 10_000 });
    const after = await scrape(c);
    expect(value(after, 'xenherd_migrations_in_flight')).toBe(0);
    expect(value(after, 'xenherd_migration_duration_seconds_count', { outcome: 'ok' })).toBe(1);
    expect(value(after, 'xenherd_migration_duration_seconds_count', { outcome: 'failed' })).toBe(1);
    expect(value(after, 'xenherd_migration_duration_seconds_bucket', { outcome: 'ok', le: '5' })).toBe(1);
    expect(value(after, 'xenherd_migration_duration_seconds_bucket', { outcome: 'ok', le: '+Inf' })).toBe(1);
  });

  it('xenherd_domus_down: a guarded domU its Dom0 starts no more and running nowhere, as check counts it (domus_down)', async () => {
    const c = await bed.start();
    const xen1 = await c.agent('xen1');
    xen1.hello();
    // xen1's autostart saw web01 stop ten minutes ago, with nobody of the fleet asking
    const stopped: Partial<LinkGuarded> = { decision: 'skip', reason: 'handled-this-boot', detail: 'someone stopped it', since: new Date(Date.now() - 10 * 60_000).toISOString() };
    xen1.snapshot(hostState({ domains: [dom('db01')], homes: [{ name: 'web01', peer: 'xen2', source: 'migrate-tab' }], guarded: [guarded('web01', ['r1'], stopped), guarded('db01', ['r2'])] }));
    const xen2 = await c.agent('xen2');
    xen2.hello();
    xen2.snapshot(hostState({ domains: [] }));
    await until(() => c.core.hosts().hosts.filter((h) => h.reachable).length === 2, 'both reachable', { limitMs: 10_000 });
    const fs = await scrape(c);
    expect(fs.get('xenherd_domus_down')?.type).toBe('gauge');
    expect(value(fs, 'xenherd_domus_down')).toBe(1);
    expect(c.core.monitor.check(DEFAULT_CHECK_THRESHOLDS).perfdata.find((p) => p.label === 'domus_down')?.value).toBe(1);

    // started again by hand: none down, the series still there
    xen1.delta({ domains: [dom('db01'), dom('web01')] });
    await until(() => c.core.monitor.metrics().domusDown === 0, 'web01 runs again', { limitMs: 10_000 });
    expect(value(await scrape(c), 'xenherd_domus_down')).toBe(0);
  });

  it('xenherd_domus_down counts a guarded domU its Dom0 will not start because its boot record was lost (defer boot-record-lost): down until an operator acts', async () => {
    const c = await bed.start();
    const xen1 = await c.agent('xen1');
    xen1.hello();
    const lost: Partial<LinkGuarded> = { decision: 'defer', reason: 'boot-record-lost', detail: 'what autostart handled since this Dom0 booted is not known', since: new Date(Date.now() - 60_000).toISOString() };
    xen1.snapshot(hostState({ domains: [dom('db01')], homes: [{ name: 'web01', peer: 'xen2', source: 'migrate-tab' }], guarded: [guarded('web01', ['r1'], lost), guarded('db01', ['r2'])] }));
    const xen2 = await c.agent('xen2');
    xen2.hello();
    xen2.snapshot(hostState({ domains: [] }));
    await until(() => c.core.hosts().hosts.filter((h) => h.reachable).length === 2, 'both reachable', { limitMs: 10_000 });
    expect(value(await scrape(c), 'xenherd_domus_down')).toBe(1);
    // the pager's count and status's say the same as the graph
    expect(c.core.monitor.check(DEFAULT_CHECK_THRESHOLDS).perfdata.find((p) => p.label === 'domus_down')?.value).toBe(1);
    expect(c.core.status().summary.down).toBe(1);

    // the operator's --force started it: none down
    xen1.delta({ domains: [dom('db01'), dom('web01')] });
    await until(() => c.core.monitor.metrics().domusDown === 0, 'web01 runs again', { limitMs: 10_000 });
    expect(value(await scrape(c), 'xenherd_domus_down')).toBe(0);
  });
});
