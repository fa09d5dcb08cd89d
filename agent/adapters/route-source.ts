import { createSocket } from 'node:dgram';
import { realClock } from '../../shared/clock/real-clock.js';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

/**
 * The local address this host's packets to ADDRESS leave from (the kernel's route choice), which
 * is the address the peer sees: a UDP socket is connected (nothing is sent) and asked its own
 * address. Names are resolved as any connection would resolve them.
 */
export async function sourceAddressTowards(address: string, timeoutMs = 5_000): Promise<{ ok: true; address: string } | { ok: false; why: string }> {
  let ip = address;
  let family: 4 | 6 = isIP(address) === 6 ? 6 : 4;
  if (isIP(address) === 0) {
    // resolved here, not by connect(): dgram's connect reported 0.0.0.0 for a name that does not resolve
    try {
      const r = await lookup(address);
      ip = r.address;
      family = r.family === 6 ? 6 : 4;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      return { ok: false, why: code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? `the name ${address} does not resolve` : String(code ?? e) };
    }
  }
  return new Promise((resolve) => {
    const sock = createSocket(family === 6 ? 'udp6' : 'udp4');
    let done = false;
    const finish = (r: { ok: true; address: string } | { ok: false; why: string }): void => {
      if (done) return;
      done = true;
      cancelTimer();
      try {
        sock.close();
      } catch {
        /* never bound */
      }
      resolve(r);
    };
    const cancelTimer = realClock.schedule(timeoutMs, () => finish({ ok: false, why: `no route found within ${timeoutMs / 1000} s` }));
    sock.on('error', (e: NodeJS.ErrnoException) => finish({ ok: false, why: e.code ?? e.message }));
    sock.connect(9, ip, () => {
      const local = sock.address().address;
      finish(local === '0.0.0.0' || local === '::' ? { ok: false, why: `no route to ${ip}` } : { ok: true, address: local });
    });
  });
}
