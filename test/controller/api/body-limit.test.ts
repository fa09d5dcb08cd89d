import { connect } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiErrorSchema } from '../../../shared/protocol/ctl-api.js';
import { apiRequest } from '../../security/api-request.js';
import { controllerBed, type TestController } from './controller-bed.js';

let c: TestController | null = null;
afterEach(async () => {
  await c?.stop();
  c = null;
});

const KiB = 1024;
const MiB = 1024 * KiB;

/**
 * POST PATH with SIZE bytes of body, written whole on a TLS connection of its own as a client
 * like curl does: the write failing (EPIPE, ECONNRESET) is what such a client reports instead of
 * the answer, so it is an outcome here, not thrown. Resolves when the connection closes.
 */
function post(controller: TestController, path: string, size: number, headers: readonly string[]): Promise<{ out: string; error: string | null }> {
  const u = new URL(controller.url);
  const framing = headers.some((h) => /^transfer-encoding:/i.test(h)) ? [] : [`Content-Length: ${size}`];
  const head = [`POST ${path} HTTP/1.1`, 'Host: localhost', `Authorization: Bearer ${controller.adminToken}`, 'Content-Type: application/json', ...framing, ...headers, '', ''].join('\r\n');
  const body = Buffer.alloc(size, 'a');
  const chunked = framing.length === 0;
  return new Promise((resolve) => {
    let out = '';
    let error: string | null = null;
    const s = connect({ host: u.hostname, port: Number(u.port), ca: controller.caPem, servername: 'localhost' }, () => {
      s.write(head);
      s.write(chunked ? Buffer.concat([Buffer.from(`${size.toString(16)}\r\n`), body, Buffer.from('\r\n0\r\n\r\n')]) : body);
    });
    s.setEncoding('utf8');
    s.on('data', (d: string) => (out += d));
    s.on('error', (e: NodeJS.ErrnoException) => (error ??= `${e.code ?? ''} ${e.message}`));
    s.on('close', () => resolve({ out, error }));
    s.setTimeout(15_000, () => s.destroy(new Error('no close within 15 s')));
  });
}

/** The answer must be 413 with the reason and Connection: close, and the client's upload not cut off. */
async function expectRefused(path: string, size: number, headers: readonly string[] = []): Promise<void> {
  if (c === null) throw new Error('no controller');
  const what = `${path} ${size} bytes ${headers.join(', ')}`;
  const r = await post(c, path, size, headers);
  expect(r.error, what).toBeNull();
  // a 100 Continue may come first (Node sends it before the handler runs): the final answer is what counts
  const final = r.out.replace(/^HTTP\/1\.1 100 Continue\r\n\r\n/, '');
  const [head = '', body = ''] = final.split('\r\n\r\n', 2);
  expect(head, what).toMatch(/^HTTP\/1\.1 413 /);
  expect(head.toLowerCase(), what).toContain('\r\nconnection: close');
  expect(ApiErrorSchema.parse(JSON.parse(body)).error, what).toEqual({ code: 'XH_ERR_USAGE', message: 'the request body is above 16384 bytes' });
}

describe('a request body above the limit', () => {
  it('is answered 413 saying why, then closed, whatever its size (the client is not left with a reset); the server goes on', async () => {
    c = await controllerBed().start();
    for (const path of ['/v1/commands', '/v1/jobs']) {
      for (const size of [20 * KiB, 200 * KiB, 1 * MiB, 10 * MiB]) {
        await expectRefused(path, size);
        // without a Content-Length the limit is found while reading
        await expectRefused(path, size, ['Transfer-Encoding: chunked']);
      }
    }
    const after = await apiRequest(c, { method: 'GET', path: '/v1/hosts', headers: { authorization: `Bearer ${c.adminToken}` }, from: '127.0.0.1' });
    expect('status' in after && after.status).toBe(200);
  });

  it('with Expect: 100-continue and a Content-Length over the limit, 413 too (the client sending the body anyway)', async () => {
    c = await controllerBed().start();
    for (const size of [1 * MiB, 10 * MiB]) await expectRefused('/v1/jobs', size, ['Expect: 100-continue']);
  });
});
