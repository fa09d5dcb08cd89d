import { createConnection } from 'node:net';
import { connect } from 'node:tls';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ApiErrorSchema } from '../../shared/protocol/ctl-api.js';
import { controllerBed, type TestController } from '../controller/api/controller-bed.js';
import { apiRequest } from '../security/api-request.js';
import { dom, hostState } from '../controller/states.js';
import { until } from '../helpers/until.js';
import { count, hostileValue, mutatedJsonDeep, mutatedText, reportCounts, runs } from './fuzz-kit.js';

// The controller's HTTP API on a real HTTPS server (127.0.0.1, port 0): malformed paths, query
// strings, methods, headers and bodies (random JSON, valid requests mutated, binary, above the
// 16 KiB limit), and raw bytes on the TLS socket that are barely HTTP. Every request is answered
// with a status and, for an error, the API's JSON error (or the connection is closed for what is
// not HTTP at all); nothing is a 500; the server answers a normal `where` afterwards.
// Fuzzed requests come from 127.0.0.2-127.0.0.250 so that the refused tokens among them (the
// controller limits those per address) do not lock out the health checks from 127.0.0.1.

reportCounts('http-api');

const bed = controllerBed();

async function waitForAudit(c: TestController, n: number): Promise<void> {
  await until(() => c.events('audit').length >= n, `${n} audit lines`);
  expect(c.events('audit').length).toBe(n);
}

/** xen1's agent linked, reporting web1 (the domU `healthy` asks for), and its report taken in. */
async function xen1ReportingWeb1(c: TestController, token?: string): Promise<void> {
  const a = await c.agent('xen1', token);
  a.hello();
  a.snapshot(hostState({ domains: [dom('web1')] }));
  await until(() => {
    const r = c.core.where('web1');
    return r.ok && r.value.matches.length === 1;
  }, "xen1's report of web1 taken in (where web1)");
}

async function healthy(c: TestController): Promise<void> {
  const a = await apiRequest(c, { method: 'GET', path: '/v1/where?pattern=web1', headers: { authorization: `Bearer ${c.adminToken}` }, body: null, from: '127.0.0.1' });
  expect('status' in a && a.status, JSON.stringify(a).slice(0, 300)).toBe(200);
  expect('body' in a && (JSON.parse(a.body) as { matches: unknown[] }).matches.length).toBe(1);
}

const BODIES: unknown[] = [
  { op: 'migrate', name: 'web1', target: 'xen2' },
  { op: 'reverse', name: 'web1' },
  { kind: 'drain', hosts: ['xen1'] },
  { kind: 'rebalance', maxMoves: 3 },
  { kind: 'maintenance', host: 'xen9', on: true },
  { kind: 'restore', host: 'xen9', timeoutMs: 1 },
  { jobId: 'job-1' },
];
const ROUTES = ['/v1/where', '/v1/hosts', '/v1/domains', '/v1/status', '/v1/drbd', '/v1/check', '/v1/commands', '/v1/plan', '/v1/jobs', '/v1/jobs/cancel', '/v1/agent', '/metrics', '/', '/v2/hosts'];
const pathPart = fc.oneof(
  fc.constantFrom(...ROUTES),
  fc.constantFrom(...ROUTES).map((r) => `${r}/`),
  fc.constantFrom('/v1/../v1/hosts', '/v1/%2e%2e/hosts', '/v1/hosts%00', '//v1//hosts', '/v1/HOSTS', '/v1/hosts;x', `/v1/${'a'.repeat(6000)}`, '/v1/%ff%fe', '/v1/\u00e9', '*'),
  fc.webPath().map((p) => `/v1${p}`),
);
const query = fc.oneof(
  fc.constant(''),
  fc.constantFrom('?pattern=*', '?pattern=', '?pattern=[', '?pattern=[a-', '?pattern=%00', `?pattern=${'*'.repeat(3000)}`, `?pattern=${'[a'.repeat(500)}`, '?host=xen1&host=xen2', '?host=', '?%zz', '?pattern=web1#frag'),
  fc.webQueryParameters().map((q) => `?${q}`),
);
const authHeader = (c: TestController, readToken: string, agentToken: string): fc.Arbitrary<string | null> =>
  fc.oneof(
    fc.constantFrom(null, `Bearer ${c.adminToken}`, `Bearer ${readToken}`, `Bearer ${agentToken}`, `bearer ${c.adminToken}`, `Bearer  ${c.adminToken}`, `Bearer ${c.adminToken} x`, 'Basic YWRtaW46YWRtaW4=', 'Bearer ', `Bearer ${c.adminToken.slice(0, -1)}`, `Bearer xh1.000000000000.${'A'.repeat(43)}`),
    fc.string({ maxLength: 100 }).map((s) => `Bearer ${s}`),
  );
const body = fc.oneof(
  fc.constant(null),
  fc.constantFrom(...BODIES).map((b) => JSON.stringify(b)),
  fc.constantFrom(...BODIES).chain(mutatedJsonDeep).map((b) => JSON.stringify(b) ?? ''),
  fc.constantFrom(...BODIES).chain((b) => mutatedText(JSON.stringify(b))),
  hostileValue.map((v) => JSON.stringify(v) ?? 'undefined'),
  fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
  fc.constantFrom(`{"op":"migrate","name":"web1","target":"${'x'.repeat(17_000)}"}`),
);

describe('the HTTP API over real HTTPS: every request answered in the API, the server keeps serving', () => {
  it('request targets that begin with "//" (once a TypeError that ended the process) are answered 404; a 10 MiB body is refused', async () => {
    const c = await bed.start();
    for (const method of ['GET', 'POST']) {
      for (const path of ['//x', '//?dj', '//']) {
        count('HTTP requests');
        const r = await apiRequest(c, { method, path, headers: { authorization: `Bearer ${c.adminToken}` }, body: method === 'POST' ? '{}' : null, from: '127.0.0.1' });
        expect('status' in r && r.status, `${method} ${path}`).toBe(404);
        expect('body' in r && ApiErrorSchema.parse(JSON.parse(r.body)).error.code).toBe('XH_ERR_NOT_FOUND');
      }
    }
    const audit = c.events('audit');
    expect(audit.map((l) => l['path'])).toEqual(['//x', '//', '//']);
    // 10 MiB where 16 KiB is the most: answered 413 (the rest of the body read and thrown away,
    // so the client gets the answer rather than a reset), nothing kept
    const huge = await apiRequest(c, { method: 'POST', path: '/v1/commands', headers: { authorization: `Bearer ${c.adminToken}` }, body: Buffer.alloc(10 * 1024 * 1024, 'a'), from: '127.0.0.1' });
    count('HTTP requests');
    expect('status' in huge ? huge.status : huge.error).toBe(413);
    await waitForAudit(c, 4);
  });

  it('methods, paths, queries, tokens, headers and bodies', async () => {
    const c = await bed.start();
    const readToken = await c.operator('viewer', 'read');
    const agentToken = await c.enroll('xen1');
    await xen1ReportingWeb1(c, agentToken);
    await healthy(c);
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'POST', 'POST'),
        pathPart,
        query,
        authHeader(c, readToken, agentToken),
        body,
        fc.dictionary(fc.constantFrom('content-type', 'accept', 'x-forwarded-for', 'transfer-encoding', 'expect', 'cookie'), fc.constantFrom('application/json', 'text/plain', '127.0.0.1', 'chunked', '100-continue', '\u00ff', 'x'.repeat(4000)), { maxKeys: 2 }),
        async (method, path, q, auth, b, extra) => {
          count('HTTP requests');
          const headers: Record<string, string> = { ...extra };
          if (auth !== null) headers['authorization'] = auth;
          const from = `127.0.0.${2 + (n++ % 249)}`;
          const r = await apiRequest(c, { method, path: `${path}${q}`, headers, body: method === 'GET' || method === 'HEAD' ? null : b, from });
          if ('error' in r) {
            // refused before HTTP (a header Node's client will not send), or a body above the limit: the server cuts the connection
            expect(r.error, `${method} ${path}${q}`).toMatch(/ECONNRESET|EPIPE|socket hang up|Invalid character|Invalid value|header content|Request path contains unescaped characters|ERR_INVALID/i);
            return;
          }
          expect(r.status, `${method} ${path}${q}: ${r.body.slice(0, 200)}`).not.toBe(500);
          expect([200, 400, 401, 403, 404, 405, 409, 413, 417, 429, 431, 503]).toContain(r.status);
          if (r.status === 429) expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
          if (r.status !== 200 && method !== 'HEAD' && ![413, 417, 431].includes(r.status)) ApiErrorSchema.parse(JSON.parse(r.body));
        },
      ),
      runs(250),
    );
    await healthy(c);
  }, 120_000);

  it('raw bytes on the TLS socket: answered with an HTTP error or closed, and the server keeps serving', async () => {
    const c = await bed.start();
    const token = c.adminToken;
    const u = new URL(c.url);
    const raw = (bytes: Buffer | string, from: string): Promise<string> =>
      new Promise((resolve) => {
        const tcp = createConnection({ host: u.hostname, port: Number(u.port), localAddress: from });
        const s = connect({ socket: tcp, ca: c.caPem, servername: 'localhost' }, () => s.end(bytes));
        let out = '';
        s.on('data', (d) => (out += d.toString('latin1')));
        s.on('error', () => undefined);
        s.on('close', () => resolve(out));
        s.setTimeout(10_000, () => s.destroy());
      });
    const GOOD = `POST /v1/commands HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nContent-Length: 41\r\n\r\n{"op":"reverse","name":"web1","x":false}`;
    const request = fc.oneof(
      mutatedText(GOOD),
      fc.constantFrom(
        'GET / HTTP/1.1\r\n\r\n',
        'GET /v1/hosts HTTP/1.1\nHost: x\n\n',
        `GET /v1/hosts HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
        'POST /v1/commands HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
        'POST /v1/commands HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!',
        'POST /v1/commands HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n',
        `GET /v1/hosts HTTP/1.1\r\nHost: x\r\n\r\n`.repeat(50),
        'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n',
        'GET //x HTTP/1.1\r\nHost: x\r\n\r\n',
        'POST //?dj HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}',
        'GET http://evil.example/v1/hosts HTTP/1.1\r\nHost: x\r\n\r\n',
        'OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n',
        '\u0016\u0003\u0001\u0000',
        'GET /v1/hosts HTTP/9.9\r\n\r\n',
        `GET /${'%'.repeat(10_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
      ),
      fc.uint8Array({ maxLength: 2000 }).map((a) => Buffer.from(a)),
    );
    let n = 0;
    await fc.assert(
      fc.asyncProperty(request, async (bytes) => {
        count('raw TLS requests');
        const out = await raw(bytes, `127.0.0.${2 + (n++ % 249)}`);
        if (out !== '') expect(out.startsWith('HTTP/1.1 '), out.slice(0, 200)).toBe(true);
        expect(out).not.toMatch(/^HTTP\/1\.1 500/);
      }),
      runs(200),
    );
    await xen1ReportingWeb1(c);
    await healthy(c);
  });
});
