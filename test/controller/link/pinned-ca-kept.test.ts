import { X509Certificate } from 'node:crypto';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { WebSocketServer } from 'ws';
import { makeCa, makeServerCert } from '../../../controller/pki/certificate.js';
import { realClock } from '../../../shared/clock/real-clock.js';
import { PinnedCas } from '../../../shared/link/pinned-cas.js';
import { connectAgentLink } from '../../../shared/link/ws-connect.js';

/**
 * An agent pinning its controller's CA by fingerprint (what `enroll` prints) reads the CA over a
 * first TLS connection. Read again at every try, each reconnect cost the controller two TLS
 * handshakes, which after a controller restart doubled the work of taking the whole fleet back.
 * The CA is kept once read (per process, by URL and fingerprint) and read again only when a
 * connection verified against it fails.
 */
const NOW = Date.now();
const ca = makeCa('xenherd CA', NOW);
const cert = makeServerCert(ca, ['127.0.0.1'], NOW);
const FINGERPRINT = new X509Certificate(ca.certPem).fingerprint256;
const OTHER_CA = makeCa('another CA', NOW).certPem;

/** A WSS server sending its CA in the chain (as serve does), counting the TCP connections it accepted and the links it opened. */
async function wssServer(): Promise<{ url: string; tcp: () => number; links: () => number; untilLinks: (n: number) => Promise<void> }> {
  const server = createServer({ cert: cert.certPem + ca.certPem, key: cert.keyPem });
  let tcp = 0;
  let links = 0;
  let wake: (() => void) | null = null;
  server.on('connection', () => void tcp++);
  const wss = new WebSocketServer({ server });
  wss.on('connection', (ws) => {
    links++;
    ws.on('error', () => undefined);
    wake?.();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  onTestFinished(async () => {
    for (const c of wss.clients) c.terminate();
    await new Promise<void>((r) => wss.close(() => r()));
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });
  const untilLinks = async (n: number): Promise<void> => {
    while (links < n) await new Promise<void>((r) => (wake = r));
  };
  return { url: `wss://127.0.0.1:${(server.address() as AddressInfo).port}`, tcp: () => tcp, links: () => links, untilLinks };
}

const target = (url: string, pinnedCas: PinnedCas) => ({ url, token: 'xh1.x.y', caPem: null, caFingerprint: FINGERPRINT, maxPayload: 1 << 20, handshakeTimeoutMs: 5_000, clock: realClock, pinnedCas });

async function linkOnce(url: string, cas: PinnedCas): Promise<void> {
  const r = await connectAgentLink(target(url, cas));
  if (!r.ok) throw new Error(r.error.message);
  r.value.close(1000, 'done');
}

describe('the CA an agent pinned by fingerprint', () => {
  it('is read once: every later try is one TLS connection', async () => {
    const s = await wssServer();
    const cas = new PinnedCas();
    await linkOnce(s.url, cas);
    await s.untilLinks(1);
    // the CA read, then the link
    expect(s.tcp()).toBe(2);
    for (let i = 2; i <= 4; i++) {
      await linkOnce(s.url, cas);
      await s.untilLinks(i);
      // every connection the agent made reached the server before its link opened
      expect(s.tcp()).toBe(i + 1);
    }
    expect(cas.get(new URL(s.url), FINGERPRINT)).toBe(new X509Certificate(ca.certPem).toString());
  });

  it('kept per URL and fingerprint: another controller URL reads its own', async () => {
    const a = await wssServer();
    const b = await wssServer();
    const cas = new PinnedCas();
    await linkOnce(a.url, cas);
    await linkOnce(b.url, cas);
    await Promise.all([a.untilLinks(1), b.untilLinks(1)]);
    expect([a.tcp(), b.tcp()]).toEqual([2, 2]);
    expect(cas.get(new URL(a.url), 'AA:BB')).toBeUndefined();
  });

  it('a kept CA the server does not verify against: read again, once, and the link opens', async () => {
    const s = await wssServer();
    const cas = new PinnedCas();
    cas.keep(new URL(s.url), FINGERPRINT, OTHER_CA);
    await linkOnce(s.url, cas);
    await s.untilLinks(1);
    // the try with the kept CA (refused by the agent's own check), the CA read, the link
    expect(s.tcp()).toBe(3);
    expect(cas.get(new URL(s.url), FINGERPRINT)).toBe(new X509Certificate(ca.certPem).toString());
  });

  it('a fingerprint the server does not present: untrusted, and nothing is kept', async () => {
    const s = await wssServer();
    const cas = new PinnedCas();
    const r = await connectAgentLink({ ...target(s.url, cas), caFingerprint: 'AA:'.repeat(31) + 'AA' });
    expect(r).toMatchObject({ ok: false, error: { kind: 'untrusted' } });
    expect(cas.get(new URL(s.url), 'AA:'.repeat(31) + 'AA')).toBeUndefined();
    expect(s.links()).toBe(0);
  });
});
