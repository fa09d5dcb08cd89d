import { X509Certificate } from 'node:crypto';
import dns, { type LookupAddress } from 'node:dns';
import { createServer as createHttpsServer } from 'node:https';
import { getDefaultAutoSelectFamily, setDefaultAutoSelectFamily, type AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { WebSocketServer } from 'ws';
import * as z from 'zod';
import { CtlClient } from '../../controller/ctl/client.js';
import { makeCa, makeServerCert } from '../../controller/pki/certificate.js';
import { realClock } from '../../shared/clock/real-clock.js';
import { connectAgentLink } from '../../shared/link/ws-connect.js';
import { parseCaBundle } from '../../shared/tls/ca-bundle.js';

/**
 * A controller listening on IPv4 only behind a name that resolves to ::1 first (as localhost, or
 * any name with an AAAA record, on a dual-stack network), reached by clients with Node 18's
 * default of trying only the first address: xenherdctl and the agent link must still get there.
 */
const NAME = 'ctl.dual-stack.test';
const NOW = Date.now();
const TOKEN = `xh1.0123456789ab.${'s'.repeat(43)}`;
const ca = makeCa('xenherd CA', NOW);
const cert = makeServerCert(ca, [NAME], NOW);
const IPV6_FIRST: LookupAddress[] = [{ address: '::1', family: 6 }, { address: '127.0.0.1', family: 4 }];

let before = true;
beforeEach(() => {
  before = getDefaultAutoSelectFamily();
  setDefaultAutoSelectFamily(false);
  const real = dns.lookup.bind(dns);
  // only NAME is answered here; every other name goes to the resolver as before
  vi.spyOn(dns, 'lookup').mockImplementation(((host: string, options: unknown, cb: (...a: unknown[]) => void) => {
    const callback = typeof options === 'function' ? (options as typeof cb) : cb;
    if (host !== NAME) return (real as (...a: unknown[]) => void)(host, options, cb);
    const all = typeof options === 'object' && options !== null && (options as { all?: boolean }).all === true;
    if (all) callback(null, IPV6_FIRST);
    else callback(null, '::1', 6);
  }) as unknown as typeof dns.lookup);
});
afterEach(() => {
  vi.restoreAllMocks();
  setDefaultAutoSelectFamily(before);
});

/** An HTTPS server on 127.0.0.1 only (nothing answers on ::1 at its port), sending its CA in the chain as serve does. */
async function ipv4OnlyServer(): Promise<{ port: number; wss: WebSocketServer }> {
  const server = createHttpsServer({ cert: cert.certPem + ca.certPem, key: cert.keyPem }, (_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end('{"ok":true}');
  });
  const wss = new WebSocketServer({ server });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  onTestFinished(async () => {
    for (const c of wss.clients) c.terminate();
    wss.close();
    await new Promise<void>((r) => server.close(() => r()));
  });
  return { port: (server.address() as AddressInfo).port, wss };
}

describe('a controller on IPv4 only, its name resolving to ::1 first, clients not trying every address by default', () => {
  it('xenherdctl gets its answer over the IPv4 address', async () => {
    const { port } = await ipv4OnlyServer();
    const anchors = parseCaBundle(ca.certPem);
    if (!anchors.ok) throw new Error(anchors.error);
    const c = new CtlClient({ url: new URL(`https://${NAME}:${port}`), token: TOKEN, ca: anchors.value }, realClock);
    expect(await c.get('/x', z.object({ ok: z.literal(true) }))).toEqual({ ok: true, value: { ok: true } });
  });

  it('the agent link opens over the IPv4 address, pinning the CA by fingerprint too', async () => {
    const { port, wss } = await ipv4OnlyServer();
    const heard = new Promise<string | undefined>((r) => wss.once('connection', (_ws, req) => r(req.headers.authorization)));
    for (const pin of [false, true]) {
      const r = await connectAgentLink({
        url: `wss://${NAME}:${port}`,
        token: TOKEN,
        caPem: pin ? null : ca.certPem,
        caFingerprint: pin ? new X509Certificate(ca.certPem).fingerprint256 : null,
        maxPayload: 65_536,
        handshakeTimeoutMs: 5_000,
        clock: realClock,
      });
      expect(r.ok, JSON.stringify(r)).toBe(true);
      if (r.ok) r.value.close(1000, 'test done');
    }
    expect(await heard).toBe(`Bearer ${TOKEN}`);
  });
});
