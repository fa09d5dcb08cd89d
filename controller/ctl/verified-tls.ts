import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { connect, type DetailedPeerCertificate, type TLSSocket } from 'node:tls';
import { err, ok, type Result } from '../../shared/result.js';
import { untrustedBecause } from './trusted-chain.js';

/** Why a connection was not made: refused/reset (a network error code) or not trusted. */
export interface ConnectFailure {
  readonly kind: 'network' | 'untrusted';
  readonly message: string;
}

/** The certificates the server sent, leaf first (Node links each to the next; the last to itself). */
function presentedChain(socket: TLSSocket): X509Certificate[] {
  const chain: X509Certificate[] = [];
  const seen = new Set<DetailedPeerCertificate>();
  for (let c: DetailedPeerCertificate | undefined = socket.getPeerCertificate(true); c?.raw !== undefined && !seen.has(c); c = c.issuerCertificate) {
    seen.add(c);
    chain.push(new X509Certificate(c.raw));
  }
  return chain;
}

/**
 * A TLS connection to URL's host that nothing has been written to until its certificate chain
 * passed untrustedBecause against ANCHORS: the caller writes its token only into a socket this
 * resolved with. OpenSSL's own verification is off (no CA is given to it, so Node never loads
 * its root store); this check takes its place.
 */
export function connectVerified(url: URL, anchors: readonly X509Certificate[], now: () => number, signal?: AbortSignal): Promise<Result<TLSSocket, ConnectFailure>> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve) => {
    const socket = connect({
      host,
      port: Number(url.port || 443),
      ...(isIP(host) === 0 ? { servername: host } : {}),
      ca: [],
      rejectUnauthorized: false,
    });
    const fail = (f: ConnectFailure): void => {
      socket.destroy();
      resolve(err(f));
    };
    const aborted = (): void => fail({ kind: 'network', message: 'aborted' });
    signal?.addEventListener('abort', aborted, { once: true });
    const failed = (e: NodeJS.ErrnoException): void => fail({ kind: 'network', message: `${e.code ? `${e.code}: ` : ''}${e.message}` });
    socket.once('error', failed);
    socket.once('secureConnect', () => {
      signal?.removeEventListener('abort', aborted);
      let why: string | null;
      try {
        why = untrustedBecause(presentedChain(socket), anchors, host, now());
      } catch (e) {
        why = `its certificate could not be read (${(e as Error).message})`;
      }
      if (why !== null) return fail({ kind: 'untrusted', message: why });
      // from here the HTTP request that takes the socket hears its errors
      socket.removeListener('error', failed);
      resolve(ok(socket));
    });
  });
}
