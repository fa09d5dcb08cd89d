import { X509Certificate } from 'node:crypto';
import { createServer, type TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { makeCa, makeServerCert } from '../../../controller/pki/certificate.js';
import { fetchPinnedCa } from '../../../shared/link/ws-connect.js';

/**
 * The agent reads its controller's CA by fingerprint over a first TLS connection that sends
 * nothing. It must end that connection as TLS ends one: cut right after its own handshake, the
 * server had not read the client's Finished yet, and the controller logged every agent's
 * reconnect as a refused TLS client (a warning per Dom0 at every controller upgrade).
 */
const NOW = Date.now();
const ca = makeCa('xenherd CA', NOW);
const cert = makeServerCert(ca, ['127.0.0.1'], NOW);
const FINGERPRINT = new X509Certificate(ca.certPem).fingerprint256;

/** A TLS server sending its CA in the chain (as serve does); resolves each connection's fate. */
async function tlsServer(): Promise<{ port: number; next: () => Promise<'completed' | string> }> {
  const fates: Array<'completed' | string> = [];
  let wake: (() => void) | null = null;
  const settle = (f: 'completed' | string): void => {
    fates.push(f);
    wake?.();
  };
  const server = createServer({ cert: cert.certPem + ca.certPem, key: cert.keyPem }, (s: TLSSocket) => {
    s.on('error', () => undefined);
    s.on('close', () => settle('completed'));
    s.resume();
  });
  server.on('tlsClientError', (e: Error) => settle(`refused: ${e.message}`));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  onTestFinished(() => new Promise<void>((r) => server.close(() => r())));
  const next = async (): Promise<'completed' | string> => {
    while (fates.length === 0) await new Promise<void>((r) => (wake = r));
    return fates.shift() as string;
  };
  return { port: (server.address() as AddressInfo).port, next };
}

describe("the agent's pinned-CA probe", () => {
  it('completes the handshake the server sees and closes cleanly, time after time', async () => {
    const s = await tlsServer();
    const url = new URL(`wss://127.0.0.1:${s.port}`);
    for (let i = 0; i < 10; i++) {
      const r = await fetchPinnedCa(url, FINGERPRINT, 5_000);
      expect(r).toMatchObject({ ok: true });
      expect(await s.next()).toBe('completed');
    }
  });

  it('a fingerprint the server does not present: untrusted, and still no cut handshake', async () => {
    const s = await tlsServer();
    const r = await fetchPinnedCa(new URL(`wss://127.0.0.1:${s.port}`), 'AA:'.repeat(31) + 'AA', 5_000);
    expect(r).toMatchObject({ ok: false, error: { kind: 'untrusted' } });
    expect(await s.next()).toBe('completed');
  });
});
