import { connect } from 'node:net';
import { realClock } from '../../shared/clock/real-clock.js';

/**
 * Does something accept TCP connections on address:port within the timeout? (Used for "is the
 * peer's sshd reachable", the path `xl migrate` takes; nothing is sent.) TIMEOUTMS null: as long
 * as the kernel's connect waits, as ssh's own does without a ConnectTimeout (Linux retries the SYN
 * tcp_syn_retries times, about 127 s at the default 6).
 */
export function tcpReachable(address: string, port: number, timeoutMs: number | null): Promise<{ reachable: true } | { reachable: false; why: string }> {
  return new Promise((resolve) => {
    const sock = connect({ host: address, port });
    const done = (r: { reachable: true } | { reachable: false; why: string }): void => {
      cancelTimer();
      sock.destroy();
      resolve(r);
    };
    const cancelTimer = timeoutMs === null ? (): void => undefined : realClock.schedule(timeoutMs, () => done({ reachable: false, why: `no answer within ${timeoutMs / 1000} s` }));
    sock.once('connect', () => done({ reachable: true }));
    sock.once('error', (e: NodeJS.ErrnoException) => done({ reachable: false, why: e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN' ? `the name ${address} does not resolve` : (e.code ?? e.message) }));
  });
}
