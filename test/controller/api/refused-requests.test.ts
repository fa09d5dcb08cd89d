import { describe, expect, it } from 'vitest';
import { ApiErrorSchema } from '../../../shared/protocol/ctl-api.js';
import { exchange, parseAnswer, refusalBed, sendAndEnd, sendOnAfterAnswer } from './refusal-bed.js';
import { until } from '../../helpers/until.js';

const bed = refusalBed();
const bigHeader = `GET /v1/hosts HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(70_000)}\r\n\r\n`;
const longUrl = `GET /${'a'.repeat(100_000)} HTTP/1.1\r\nhost: x\r\n\r\n`;

describe.each([true, false])('a request the HTTP parser refuses (TLS: %s) is answered, logged once with its remote, and closed', (tls) => {
  it.each([
    ['a 70 KB header', 431, bigHeader],
    ['a 100 KB URL', 431, longUrl],
    ['a request line that is not HTTP', 400, 'GARBAGE\r\n\r\n'],
  ])('%s: %i with the API error body', async (_what, status, bytes) => {
    const s = await bed.start({ tls });
    const r = await exchange(s.port, tls, bytes);
    const a = parseAnswer(r.text);
    expect(a.status).toBe(status);
    expect(a.headers).toMatch(/\r\nconnection: close/);
    expect(ApiErrorSchema.parse(a.body).error.code).toBe('XH_ERR_PROTOCOL');
    await until(() => s.events('http-refused').length > 0, 'the refusal logged', { limitMs: 10_000 });
    // the server's close() logs nothing more for a single refusal: count only after it
    await s.server.close();
    expect(s.events('http-refused')).toEqual([expect.objectContaining({ remote: `127.0.0.1:${r.localPort}`, reason: expect.stringMatching(/Parse Error/) })]);
  });

  it('a client still sending after the 431 is read to its end, not reset', async () => {
    const s = await bed.start({ tls });
    // curl with a 70 KB header was still sending when the parser gave up at 16 KiB: closed with
    // its bytes coming, the connection was reset and curl lost the answer (broken pipe)
    const head = `GET /v1/hosts HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(20_000)}`;
    const r = await sendOnAfterAnswer(s.port, tls, head, `${'a'.repeat(200_000)}\r\n\r\n`);
    expect(parseAnswer(r.text).status).toBe(431);
    expect(r.error).toBeNull();
  });

  it('a client that ends its side right after a bad request still gets the answer', async () => {
    const s = await bed.start({ tls });
    for (let i = 0; i < 5; i++) expect(parseAnswer(await sendAndEnd(s.port, tls, 'GARBAGE\r\n\r\n')).status).toBe(400);
  });

  it('an answer to HEAD has no body (a client would read it as garbage after the response)', async () => {
    const s = await bed.start({ tls });
    const r = await exchange(s.port, tls, 'HEAD /v1/hosts HTTP/1.1\r\nno colon here\r\n\r\n');
    expect(r.text).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(r.text.endsWith('\r\n\r\n')).toBe(true);
  });

  it('a request that does not arrive in time: 408', async () => {
    const s = await bed.start({ tls, timeouts: { headers: 300, request: 300 } });
    const r = await exchange(s.port, tls, 'GET /v1/hosts HTTP/1.1\r\nhost: x\r\n');
    expect(parseAnswer(r.text).status).toBe(408);
    await until(() => s.events('http-refused').length > 0, 'the refusal logged', { limitMs: 10_000 });
    expect(s.events('http-refused')[0]).toMatchObject({ remote: `127.0.0.1:${r.localPort}`, msg: expect.stringMatching(/^HTTP request not complete in time \(408\) from /) });
  });
});
