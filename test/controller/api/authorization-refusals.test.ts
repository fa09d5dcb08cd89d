import { describe, expect, it } from 'vitest';
import { AGENT_LINK_PATH } from '../../../shared/protocol/agent-link.js';
import { ApiErrorSchema } from '../../../shared/protocol/ctl-api.js';
import { controllerBed } from './controller-bed.js';
import { rawRequest, type RawAnswer } from './raw-https.js';
import { until } from '../../helpers/until.js';

// The Authorization header as hostile or sloppy clients send it, on the real HTTPS port: what is
// accepted, what is refused with which status and message, and what counts toward the
// per-address lockout (controller/auth/auth-limiter.ts: 20 refused tokens, then 429).

const bed = controllerBed();

const errorOf = (r: RawAnswer): { code: string; message: string } => ApiErrorSchema.parse(JSON.parse(r.body)).error;
const UPGRADE = ['Connection: Upgrade', 'Upgrade: websocket', 'Sec-WebSocket-Version: 13', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=='];

describe('the bearer scheme in any case, with any spaces or tabs before the token', () => {
  it('is accepted, and 25 such requests from one address do not lock it out', async () => {
    const c = await bed.start();
    const from = '127.0.0.5';
    for (let i = 0; i < 25; i++) {
      const header = [`bearer ${c.adminToken}`, `Bearer  ${c.adminToken}`, `BEARER\t${c.adminToken}`][i % 3] as string;
      const r = await rawRequest(c, { method: 'GET', path: '/v1/hosts', headers: [`Authorization: ${header}`], from });
      expect(r.status, `request ${i}: ${r.body}`).toBe(200);
    }
    expect(c.events('api-refused')).toEqual([]);
  });
});

describe('an Authorization header that is not "Bearer TOKEN"', () => {
  it('is told the form to use (401, WWW-Authenticate: Bearer), and does not count toward the lockout; a wrong token still does', async () => {
    const c = await bed.start();
    const from = '127.0.0.6';
    for (const header of ['Authorization: Basic YWRtaW46YWRtaW4=', `Authorization: ${c.adminToken}`, 'Authorization: Bearer']) {
      for (let i = 0; i < 10; i++) {
        const r = await rawRequest(c, { method: 'GET', path: '/v1/hosts', headers: [header], from });
        expect(r.status, header).toBe(401);
        expect(r.headers['www-authenticate']).toBe('Bearer');
        expect(errorOf(r)).toEqual({ code: 'XH_ERR_AUTH', message: expect.stringMatching(/^use Authorization: Bearer TOKEN/) });
      }
    }
    const none = await rawRequest(c, { method: 'GET', path: '/v1/hosts', headers: [], from });
    expect(errorOf(none).message).toMatch(/^use Authorization: Bearer TOKEN/);
    // a valid token passes whatever its address did, so a wrong one shows whether the address was counted
    const wrong = `Authorization: bearer xh1.000000000000.${'A'.repeat(43)}`;
    const first = await rawRequest(c, { method: 'GET', path: '/v1/hosts', headers: [wrong], from });
    expect(first.status, 'after 31 malformed headers a wrong token is refused, not locked out').toBe(401);
    // the agent link takes the same view of the header (from an address of its own, counted apart)
    const linkFrom = '127.0.0.7';
    for (let i = 0; i < 21; i++) {
      const link = await rawRequest(c, { method: 'GET', path: AGENT_LINK_PATH, headers: [...UPGRADE, 'Authorization: Basic YWRtaW46YWRtaW4='], from: linkFrom });
      expect(link.status).toBe(401);
      expect(errorOf(link).message).toMatch(/^use Authorization: Bearer TOKEN/);
    }
    const afterLinks = await rawRequest(c, { method: 'GET', path: '/v1/hosts', headers: [wrong], from: linkFrom });
    expect(afterLinks.status, 'after 21 malformed headers on the agent link a wrong token is refused, not locked out').toBe(401);
    for (let i = 0; i < 19; i++) {
      const r = await rawRequest(c, { method: 'GET', path: '/v1/hosts', headers: [wrong], from });
      expect(errorOf(r).message).toMatch(/^token refused: unknown, revoked or replaced \(`xenherd-controller tokens` .*check XENHERD_TOKEN/);
    }
    const locked = await rawRequest(c, { method: 'GET', path: '/v1/hosts', headers: [wrong], from });
    expect(locked.status, '20 wrong tokens lock the address out').toBe(429);
    const good = await rawRequest(c, { method: 'GET', path: '/v1/hosts', headers: [`Authorization: Bearer ${c.adminToken}`], from });
    expect(good.status, 'a valid token from it still passes').toBe(200);
  });
});

describe('two Authorization headers', () => {
  it('are refused with 400 naming the problem, in either order, on the API and the agent link', async () => {
    const c = await bed.start();
    const read = await c.operator('viewer', 'read');
    const agent = await c.enroll('xen1');
    for (const pair of [
      [c.adminToken, read],
      [read, c.adminToken],
    ]) {
      const headers = pair.map((t) => `Authorization: Bearer ${t}`);
      const api = await rawRequest(c, { method: 'POST', path: '/v1/jobs/cancel', headers: [...headers, 'Content-Type: application/json'], body: '{"jobId":"job-1"}' });
      expect(api.status).toBe(400);
      expect(errorOf(api)).toEqual({ code: 'XH_ERR_USAGE', message: 'Authorization given 2 times: send it once' });
    }
    const link = await rawRequest(c, { method: 'GET', path: AGENT_LINK_PATH, headers: [...UPGRADE, `Authorization: Bearer ${agent}`, `Authorization: Bearer ${agent}`] });
    expect(link.status).toBe(400);
    expect(errorOf(link)).toEqual({ code: 'XH_ERR_USAGE', message: 'Authorization given 2 times: send it once' });
    expect(c.events('agent-refused')[0]).toMatchObject({ code: 'XH_ERR_USAGE', reason: 'Authorization given 2 times: send it once' });
    expect(c.core.hosts().hosts).toEqual([]);
  });
});

describe('the audit trail of an agent token used on the operator API', () => {
  it("names the token's host, not 'unauthenticated'", async () => {
    const c = await bed.start();
    const agent = await c.enroll('xen1');
    const r = await rawRequest(c, { method: 'POST', path: '/v1/commands', headers: [`Authorization: Bearer ${agent}`, 'Content-Type: application/json'], body: '{}' });
    expect(r.status).toBe(403);
    await until(() => c.events('audit').length === 1, 'the audit line', { limitMs: 10_000 });
    const line = c.events('audit')[0];
    expect(line).toMatchObject({ operator: null, role: null, agent: 'xen1', method: 'POST', path: '/v1/commands', status: 403, outcome: 'XH_ERR_AUTH' });
    expect(line?.msg).toBe('audit: agent token of xen1 POST /v1/commands: 403 XH_ERR_AUTH');
  });
});
