import { Client } from 'ssh2';
import { realClock } from '../../shared/clock/real-clock.js';

/** The host key a machine's sshd shows, or why none was seen. */
export type ShownHostKey = { readonly ok: true; readonly key: Buffer } | { readonly ok: false; readonly why: string };

/**
 * The host key the sshd at HOST:PORT shows, read in the key exchange and the connection dropped
 * right after: nothing is authenticated, nothing runs there. It identifies the machine whatever
 * address or network reached it, which is what tells a Dom0 reached over another network from
 * another Dom0 (agent/decide/toolstack-route.ts).
 */
export function hostKeyAt(host: string, port: number, timeoutMs = 10_000): Promise<ShownHostKey> {
  return new Promise((resolve) => {
    const c = new Client();
    let settled = false;
    const done = (r: ShownHostKey): void => {
      if (settled) return;
      settled = true;
      cancelTimer();
      c.destroy();
      resolve(r);
    };
    const cancelTimer = realClock.schedule(timeoutMs, () => done({ ok: false, why: `${host} port ${port} showed no host key within ${timeoutMs / 1000} s` }));
    c.on('error', (e) => done({ ok: false, why: `${host} port ${port}: ${e.message}` }));
    c.on('close', () => done({ ok: false, why: `${host} port ${port} closed the connection before showing a host key` }));
    c.connect({
      host,
      port,
      username: 'root',
      readyTimeout: timeoutMs,
      // refusing the key ends the handshake before any authentication is tried
      hostVerifier: (key: Buffer): boolean => {
        done({ ok: true, key: Buffer.from(key) });
        return false;
      },
    });
  });
}
