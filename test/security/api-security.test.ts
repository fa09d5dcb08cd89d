import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import { AGENT_LINK_PATH } from '../../shared/protocol/agent-link.js';
import { controllerBed, type TestController } from '../controller/api/controller-bed.js';
import { connectFakeAgent, type FakeAgent } from '../controller/fake-agent.js';
import { dom, hostState } from '../controller/states.js';
import { apiRequest, bearer, type Answer } from './api-request.js';
import { until } from '../helpers/until.js';

// The controller's access rules over its real HTTPS/WSS port: a `read` token changes nothing, an
// agent's token acts only as its host, refused tokens are limited per address (429 with
// Retry-After), and every operator action is on the audit trail.

const bed = controllerBed();

/** Every route of the API that is not a GET, as http-api.ts dispatches them (so a new route is covered the day it is added). */
const NON_GET_ROUTES = [...readFileSync(new URL('../../controller/api/http-api.ts', import.meta.url), 'utf8').matchAll(/case '((?:POST|PUT|DELETE|PATCH) \/[^']*)'/g)].map((m) => m[1] as string);
/** the non-GET routes that only read (a plan moves nothing) */
const READ_ONLY = new Set(['POST /plan']);
/** a valid body for each route, so that what refuses a request is its token, not its body */
const BODY: Record<string, unknown> = {
  'POST /commands': { op: 'migrate', name: 'web1', target: 'xen2' },
  'POST /jobs': { kind: 'maintenance', host: 'xen1', on: true },
  'POST /jobs/cancel': { jobId: 'job-1' },
  'POST /plan': { kind: 'drain', hosts: ['xen1'] },
};

const call = (c: TestController, route: string, headers: Record<string, string>, from?: string): Promise<Answer | { error: string }> => {
  const [method, path] = route.split(' ') as [string, string];
  return apiRequest(c, { method, path: `/v1${path}`, headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(BODY[route] ?? {}), ...(from ? { from } : {}) });
};

/** xen1 runs web1, xen2 runs nothing; PEER (xen2) is kept for tests whose migrate must be seen to land. */
let peer: FakeAgent | null = null;
async function fleetOf(c: TestController): Promise<FakeAgent> {
  const a = await c.agent('xen1');
  a.hello({ capabilities: ['migrate', 'reverse', 'maintenance', 'inspect', 'cold-migrate'] });
  a.snapshot(hostState({ domains: [dom('web1')] }));
  const b = await c.agent('xen2');
  b.hello();
  b.snapshot(hostState());
  peer = b;
  await until(() => c.core.hosts().hosts.filter((h) => h.reported).length === 2, 'two hosts reported', { limitMs: 10_000 });
  return a;
}

describe('roles over real HTTPS', () => {
  it('a read token is refused (403) on every route that changes something, and nothing changes', async () => {
    const c = await bed.start();
    const xen1 = await fleetOf(c);
    const read = await c.operator('viewer', 'read');
    const agentToken = await c.enroll('xen3');
    expect(NON_GET_ROUTES.length).toBeGreaterThanOrEqual(4);
    for (const route of NON_GET_ROUTES) {
      expect(BODY[route], `a body for ${route} in this test`).toBeDefined();
      const asRead = await call(c, route, bearer(read));
      const asAgent = await call(c, route, bearer(agentToken));
      const anonymous = await call(c, route, {});
      expect('status' in anonymous && anonymous.status, `${route} without a token`).toBe(401);
      expect('status' in asAgent && asAgent.status, `${route} with an agent's token`).toBe(403);
      if (READ_ONLY.has(route)) expect('status' in asRead && asRead.status, `${route} only reads`).toBe(200);
      else {
        expect('status' in asRead && asRead.status, `${route} with a read token`).toBe(403);
        expect('body' in asRead && JSON.parse(asRead.body)).toMatchObject({ error: { code: 'XH_ERR_AUTH', message: expect.stringMatching(/needs "operate"/) } });
      }
    }
    // nothing was sent to an agent, no job was started
    await new Promise((r) => setTimeout(r, 200));
    expect(xen1.of('command')).toEqual([]);
    expect(c.core.jobs().jobs).toEqual([]);
    // ...while the same request with an operate token does reach the agent
    xen1.onCommand((cmd) => {
      // as real agents do: both report the move, so the controller's reports confirm the agent's "ok"
      xen1.delta({ domains: [] });
      peer?.delta({ domains: [dom('web1')] });
      xen1.result(cmd.commandId, { ok: true, code: null, message: 'moved', detail: null });
    });
    const admin = await call(c, 'POST /commands', bearer(c.adminToken));
    expect('status' in admin && admin.status).toBe(200);
    expect(xen1.of('command')).toHaveLength(1);
  });

  it("a host's token acts only as its host: not as another host, not on the operator API", async () => {
    const c = await bed.start();
    const token = await c.enroll('xen1');
    const asOther = await connectFakeAgent({ url: c.url.replace(/^http/, 'ws'), token, ca: c.caPem, host: 'xen2' });
    asOther.hello({ host: 'xen2' });
    await asOther.until(() => asOther.closed !== null, 'the link refused');
    expect(asOther.of('error')[0]).toMatchObject({ code: 'XH_ERR_AUTH' });
    const own = await c.agent('xen1', token);
    own.hello();
    own.snapshot(hostState({ domains: [dom('web1')] }));
    await until(() => c.core.hosts().hosts.some((h) => h.host === 'xen1' && h.reported), 'xen1 reported', { limitMs: 10_000 });
    expect(c.core.hosts().hosts.map((h) => h.host)).toEqual(['xen1']);
    const api = await apiRequest(c, { method: 'GET', path: '/v1/hosts', headers: bearer(token) });
    expect('status' in api && api.status).toBe(403);
  });
});

describe('refused tokens are limited per address over HTTPS and WSS', () => {
  it('after 20 refused tokens an address gets 429 with Retry-After for further refused tokens, on the API and the agent link, logged once; a valid token from it still passes', async () => {
    const c = await bed.start();
    const from = '127.0.0.3';
    const agentToken = await c.enroll('xen9');
    const wrong = bearer(`xh1.000000000000.${'A'.repeat(43)}`);
    for (let i = 0; i < 20; i++) {
      const r = await apiRequest(c, { method: 'GET', path: '/v1/hosts', headers: wrong, from });
      expect('status' in r && r.status).toBe(401);
    }
    const limited = await apiRequest(c, { method: 'GET', path: '/v1/hosts', headers: wrong, from });
    expect('status' in limited && limited.status).toBe(429);
    expect(Number('headers' in limited && limited.headers['retry-after'])).toBeGreaterThan(0);
    expect('body' in limited && JSON.parse(limited.body)).toMatchObject({ error: { code: 'XH_ERR_AUTH' } });
    const upgrade = (headers: Record<string, string>): Promise<number> =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(`${c.url.replace(/^http/, 'ws')}${AGENT_LINK_PATH}`, { headers, ca: c.caPem, localAddress: from });
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('upgrade', () => {
          resolve(101);
          ws.close();
        });
        ws.on('error', () => resolve(-1));
      });
    expect(await upgrade(wrong)).toBe(429);
    // a scanner sharing an address (a NAT, a jump host, the controller's own machine) with the
    // operators and agents does not lock them out
    const good = await apiRequest(c, { method: 'GET', path: '/v1/hosts', headers: bearer(c.adminToken), from });
    expect('status' in good && good.status, 'a good token from that address').toBe(200);
    expect(await upgrade(bearer(agentToken)), "a Dom0's good token from that address").toBe(101);
    for (let i = 0; i < 5; i++) await apiRequest(c, { method: 'GET', path: '/v1/hosts', headers: wrong, from });
    expect(c.events('auth-rate-limited')).toHaveLength(1);
    expect(c.events('api-refused').length, 'refusals beyond the limit are not logged one by one').toBe(20);
    const elsewhere = await apiRequest(c, { method: 'GET', path: '/v1/hosts', headers: bearer(c.adminToken), from: '127.0.0.4' });
    expect('status' in elsewhere && elsewhere.status).toBe(200);
  });
});

describe('the audit trail', () => {
  it('every non-GET request: who, what, subject, when, status and outcome; never a token', async () => {
    const c = await bed.start();
    const xen1 = await fleetOf(c);
    xen1.onCommand((cmd) => {
      xen1.progress(cmd.commandId, 'copying memory');
      xen1.result(cmd.commandId, { ok: false, code: 'XH_ERR_MIGRATION_FAILED', message: 'target refused', detail: null });
    });
    const read = await c.operator('viewer', 'read');
    const before = Date.now();
    await call(c, 'POST /commands', bearer(c.adminToken));
    await call(c, 'POST /commands', bearer(read));
    await call(c, 'POST /jobs/cancel', bearer(c.adminToken));
    await call(c, 'POST /commands', bearer('xh1.000000000000.nope'));
    await apiRequest(c, { method: 'DELETE', path: '/v1/hosts', headers: bearer(c.adminToken) });
    await apiRequest(c, { method: 'GET', path: '/v1/hosts', headers: bearer(c.adminToken) });
    // a token pasted into a query string by mistake: refused, and kept out of the log
    await apiRequest(c, { method: 'POST', path: `/v1/commands?token=${c.adminToken}`, body: '{}' });
    await until(() => c.events('audit').filter((l) => l['outcome'] !== 'accepted').length === 6, 'six final audit lines', { limitMs: 10_000 });
    const audit = c.events('audit');
    const final = audit.filter((l) => l['outcome'] !== 'accepted');
    expect(final.map((l) => [l['operator'], l['role'], l['method'], l['path'], l['status'], l['outcome']])).toEqual([
      ['admin', 'operate', 'POST', '/v1/commands', 200, 'XH_ERR_MIGRATION_FAILED'],
      ['viewer', 'read', 'POST', '/v1/commands', 403, 'XH_ERR_AUTH'],
      ['admin', 'operate', 'POST', '/v1/jobs/cancel', 404, 'XH_ERR_NOT_FOUND'],
      [null, null, 'POST', '/v1/commands', 401, 'XH_ERR_AUTH'],
      [null, null, 'DELETE', '/v1/hosts', 405, 'XH_ERR_USAGE'],
      [null, null, 'POST', '/v1/commands', 401, 'XH_ERR_AUTH'],
    ]);
    expect(final[0]).toMatchObject({ subject: { op: 'migrate', name: 'web1', target: 'xen2' }, remote: expect.stringMatching(/^127\.0\.0\.1:\d+$/) });
    expect(final[2]).toMatchObject({ subject: { jobId: 'job-1' } });
    expect(final[4]).toMatchObject({ subject: null });
    for (const l of final) expect(l['at']).toBeGreaterThanOrEqual(before - 1000);
    expect(audit.filter((l) => l['outcome'] === 'accepted')).toHaveLength(1);
    const text = JSON.stringify(c.logs);
    for (const secret of [c.adminToken, read, c.adminToken.split('.')[2] as string]) expect(text).not.toContain(secret);
  });
});

describe('one meaning per request', () => {
  it('a body key or a query parameter given twice is refused (400), nothing done: a proxy or an audit log reading the other would see another request', async () => {
    const c = await bed.start();
    const xen1 = await fleetOf(c);
    for (const route of NON_GET_ROUTES) {
      const [method, path] = route.split(' ') as [string, string];
      const body = JSON.stringify(BODY[route] ?? {});
      const key = Object.keys((BODY[route] ?? {}) as object)[0] as string;
      const twice = body.replace(/}$/, `,${JSON.stringify(key)}:${JSON.stringify((BODY[route] as Record<string, unknown>)[key])}}`);
      const r = await apiRequest(c, { method, path: `/v1${path}`, headers: { ...bearer(c.adminToken), 'content-type': 'application/json' }, body: twice });
      expect(['status' in r && r.status, 'body' in r && JSON.parse(r.body)], route).toEqual([400, { error: { code: 'XH_ERR_USAGE', message: `the request body gives the key "${key}" twice: give each key once` } }]);
    }
    expect(xen1.of('command')).toEqual([]);
    expect(c.core.jobs().jobs).toEqual([]);
    for (const query of ['/v1/where?pattern=web1&pattern=xen2', '/v1/check?warnDeferredMs=1000&warnDeferredMs=2000', '/v1/domains?host=xen1&host=xen2']) {
      const r = await apiRequest(c, { method: 'GET', path: query, headers: bearer(c.adminToken) });
      expect(['status' in r && r.status, 'body' in r && JSON.parse(r.body)], query).toEqual([400, { error: { code: 'XH_ERR_USAGE', message: expect.stringMatching(/^the query parameter "?\w+"? is given 2 times: give it once$/) } }]);
    }
    const once = await apiRequest(c, { method: 'GET', path: '/v1/where?pattern=web1', headers: bearer(c.adminToken) });
    expect('status' in once && once.status).toBe(200);
  });
});
