import type { X509Certificate } from 'node:crypto';
import { createServer as netServer, type AddressInfo, type Socket } from 'node:net';
import { createServer, type TLSSocket } from 'node:tls';
import { describe, expect, it, onTestFinished } from 'vitest';
import { CtlClient } from '../../../controller/ctl/client.js';
import { parseCaBundle } from '../../../shared/tls/ca-bundle.js';
import { connectVerified } from '../../../controller/ctl/verified-tls.js';
import { makeCa, makeServerCert, type Issued } from '../../../controller/pki/certificate.js';
import type { Clock } from '../../../shared/clock/clock.js';
import { realClock } from '../../../shared/clock/real-clock.js';
import * as z from 'zod';
import { pauseOf, until } from '../../helpers/until.js';

const NOW = Date.now();
const TOKEN = `xh1.0123456789ab.${'s'.repeat(43)}`;

const anchorsOf = (pem: string): readonly X509Certificate[] => {
  const b = parseCaBundle(pem);
  if (!b.ok) throw new Error(b.error);
  return b.value;
};

/**
 * A real TLS server answering any HTTP request with {"ok":true}; it records every byte it was
 * sent, and counts the connections that ended (closed after their handshake, or failed in it).
 */
async function recordingServer(cert: Issued): Promise<{ url: URL; received: () => string; ended: (n: number) => Promise<void> }> {
  let received = '';
  let ended = 0;
  const srv = createServer({ cert: cert.certPem, key: cert.keyPem }, (s: TLSSocket) => {
    s.on('data', (d: Buffer) => {
      received += d.toString();
      if (received.includes('\r\n\r\n')) s.end('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 11\r\nconnection: close\r\n\r\n{"ok":true}');
    });
    s.on('error', () => undefined);
    s.on('close', () => ended++);
  });
  srv.on('tlsClientError', () => ended++);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  onTestFinished(() => void srv.close());
  return {
    url: new URL(`https://127.0.0.1:${(srv.address() as AddressInfo).port}`),
    received: () => received,
    // the client gives up first; the server hears of it a moment later
    ended: (n) => until(() => ended >= n, `the server to see ${n} connection(s) end`, { step: pauseOf(5) }),
  };
}

describe('connectVerified: TLS to the controller trusting exactly the CA file', () => {
  const ca = makeCa('xenherd CA', NOW);
  const other = makeCa('other CA', NOW);

  it('a certificate of that CA: connected, and the request goes through', async () => {
    const srv = await recordingServer(makeServerCert(ca, ['127.0.0.1'], NOW));
    const c = new CtlClient({ url: srv.url, token: TOKEN, ca: anchorsOf(ca.certPem) }, realClock);
    expect(await c.get('/x', z.object({ ok: z.literal(true) }))).toEqual({ ok: true, value: { ok: true } });
    expect(srv.received()).toContain(`authorization: Bearer ${TOKEN}`);
  });

  it('a certificate of another CA: refused, and not one byte was written to that server', async () => {
    const srv = await recordingServer(makeServerCert(other, ['127.0.0.1'], NOW));
    const r = await connectVerified(srv.url, anchorsOf(ca.certPem), () => NOW);
    expect(r).toEqual({ ok: false, error: { kind: 'untrusted', message: expect.stringMatching(/is not signed by a CA of the CA file \(its issuer: "O=xenherd, CN=other CA"\)/), fix: expect.stringMatching(/XENHERD_CA must be/) } });
    const c = new CtlClient({ url: srv.url, token: TOKEN, ca: anchorsOf(ca.certPem) }, realClock);
    const e = await c.get('/x', z.object({}));
    expect(e).toEqual({ ok: false, error: { code: 'XH_ERR_CONTROLLER_UNREACHABLE', message: expect.stringMatching(/not signed by a CA of the CA file .*XENHERD_CA must be the controller's tls\/ca\.crt/) } });
    await srv.ended(2);
    expect(srv.received()).toBe('');
  });

  it('the right CA but a certificate for another address: refused, nothing written', async () => {
    const srv = await recordingServer(makeServerCert(ca, ['10.1.2.3', 'ctl.example'], NOW));
    const r = await connectVerified(srv.url, anchorsOf(ca.certPem), () => NOW);
    expect(r).toMatchObject({ ok: false, error: { kind: 'untrusted', message: expect.stringMatching(/does not name 127\.0\.0\.1/) } });
    await srv.ended(1);
    expect(srv.received()).toBe('');
  });

  it('the time it is checked at is the clock given (an expired certificate)', async () => {
    const srv = await recordingServer(makeServerCert(ca, ['127.0.0.1'], NOW, 1));
    expect(await connectVerified(srv.url, anchorsOf(ca.certPem), () => NOW + 2 * 86_400_000)).toMatchObject({ ok: false, error: { kind: 'untrusted', message: expect.stringMatching(/expired/) } });
  });

  it('a server that never finishes the handshake: given up on at the request timeout, its connection closed', async () => {
    const held: Socket[] = [];
    let closed = 0;
    const silent = netServer((s) => {
      held.push(s);
      // read (and drop) what comes, so that the client's close is seen
      s.resume();
      s.on('close', () => closed++);
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    onTestFinished(() => {
      for (const s of held) s.destroy();
      silent.close();
    });
    // the request timeout comes as soon as the server has taken the connection
    const clock: Clock = {
      now: () => NOW,
      schedule: (_ms, fn) => {
        const t = setInterval(() => {
          if (held.length === 0) return;
          clearInterval(t);
          fn();
        }, 5);
        return () => clearInterval(t);
      },
      sleep: async () => undefined,
    };
    const c = new CtlClient({ url: new URL(`https://127.0.0.1:${(silent.address() as AddressInfo).port}`), token: TOKEN, ca: anchorsOf(ca.certPem) }, clock);
    const got = await c.get('/x', z.object({}));
    expect(got).toEqual({ ok: false, error: { code: 'XH_ERR_CONTROLLER_UNREACHABLE', message: expect.stringMatching(/no answer within 10 s/) } });
    await until(() => closed > 0, "the silent server to see the client's connection close", { step: pauseOf(5) });
    expect(closed).toBe(1);
  });

  it('nobody listening: a network failure naming the error code', async () => {
    // a port the OS gave and nobody holds any more
    const gone = netServer();
    await new Promise<void>((r) => gone.listen(0, '127.0.0.1', r));
    const url = new URL(`https://127.0.0.1:${(gone.address() as AddressInfo).port}`);
    await new Promise((r) => gone.close(r));
    expect(await connectVerified(url, anchorsOf(ca.certPem), () => NOW)).toEqual({ ok: false, error: { kind: 'unreachable', message: expect.stringMatching(/^ECONNREFUSED/) } });
  });
});
