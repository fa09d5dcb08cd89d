import { describe, expect, it } from 'vitest';
import { ApiErrorSchema } from '../../../shared/protocol/ctl-api.js';
import { dom, hostState } from '../states.js';
import { controllerBed } from './controller-bed.js';
import { rawRequest, type RawAnswer } from './raw-https.js';
import { until } from '../../helpers/until.js';

// Requests to a known path with a method it does not take, and a `host` query parameter that is
// no host name, on the real HTTPS port: each is the client's mistake, named as such.

const bed = controllerBed();

const errorOf = (r: RawAnswer): { code: string; message: string } => ApiErrorSchema.parse(JSON.parse(r.body)).error;

describe('a known path with a method it does not take', () => {
  it('is answered 405 with Allow and the JSON error (HEAD without a body); an unknown path stays 404', async () => {
    const c = await bed.start();
    const auth = `Authorization: Bearer ${c.adminToken}`;
    const cases: Array<[string, string, string]> = [
      ['HEAD', '/v1/hosts', 'GET'],
      ['OPTIONS', '/v1/hosts', 'GET'],
      ['POST', '/v1/where', 'GET'],
      ['DELETE', '/v1/jobs', 'GET, POST'],
      ['GET', '/v1/commands', 'POST'],
      ['PUT', '/metrics', 'GET'],
    ];
    for (const [method, path, allow] of cases) {
      const r = await rawRequest(c, { method, path, headers: [auth], ...(method === 'HEAD' || method === 'GET' ? {} : { body: '{}' }) });
      expect(r.status, `${method} ${path}`).toBe(405);
      expect(r.headers['allow'], `${method} ${path}`).toBe(allow);
      if (method === 'HEAD') expect(r.body).toBe('');
      else expect(errorOf(r), `${method} ${path}`).toEqual({ code: 'XH_ERR_USAGE', message: `${method} is not a method of ${path}: it takes ${allow}` });
    }
    for (const [method, path] of [
      ['GET', '/v1/nowhere'],
      ['HEAD', '/v1/nowhere'],
      ['POST', '/v1/hosts/x'],
    ] as const) {
      const r = await rawRequest(c, { method, path, headers: [auth] });
      expect(r.status, `${method} ${path}`).toBe(404);
    }
    const hosts = await rawRequest(c, { method: 'GET', path: '/v1/hosts', headers: [auth] });
    expect(hosts.status).toBe(200);
  });
});

describe('GET /v1/domains?host=', () => {
  it('answers 400 naming the parameter and the rule for what is no host name; a host name that never reported is still 404', async () => {
    const c = await bed.start();
    const a = await c.agent('xen1');
    a.hello();
    a.snapshot(hostState({ domains: [dom('web1')] }));
    await until(() => c.core.hosts().hosts.some((h) => h.host === 'xen1' && h.reported), 'xen1 reported', { limitMs: 10_000 });
    const get = (q: string): Promise<RawAnswer> => rawRequest(c, { method: 'GET', path: `/v1/domains${q}`, headers: [`Authorization: Bearer ${c.adminToken}`] });
    for (const q of ['?host=%00', '?host=', '?host=-xen1', '?host=xen%201', `?host=${'a'.repeat(300)}`]) {
      const r = await get(q);
      expect(r.status, q).toBe(400);
      expect(errorOf(r), q).toEqual({ code: 'XH_ERR_USAGE', message: expect.stringMatching(/^the query parameter host=.* is not a host name: letters, digits, '\.' and '-', beginning with a letter or digit, at most 253 characters$/) });
    }
    const twice = await get('?host=xen1&host=xen2');
    expect(twice.status).toBe(400);
    expect(errorOf(twice).message).toBe('the query parameter host is given 2 times: give it once');
    expect((await get('?host=xen9')).status).toBe(404);
    const one = await get('?host=xen1');
    expect(one.status).toBe(200);
    expect(JSON.parse(one.body)).toMatchObject({ host: 'xen1', domains: [expect.objectContaining({ name: 'web1' })] });
    expect((await get('')).status).toBe(200);
  });
});
