import type { X509Certificate } from 'node:crypto';
import { connect, type TLSSocket } from 'node:tls';
import { err, ok, type Result } from '../../shared/result.js';
import { presentedChain } from '../../shared/tls/presented-chain.js';
import { tlsTarget } from '../../shared/url-host.js';
import { NOT_TRUSTED_FIX, untrustedBecause, type Untrusted } from './trusted-chain.js';
import { TRY_EVERY_ADDRESS } from '../../shared/dual-stack.js';

/** Why no connection: the controller could not be reached, or its certificate is not trusted (and what to do about that). */
export type TlsConnectFailure = { readonly kind: 'unreachable'; readonly message: string } | ({ readonly kind: 'untrusted' } & Untrusted);

/** What a TLS client hears from a port that answers in another protocol (HTTP, SSH, ...). */
const NOT_TLS = /wrong version number|packet length too long|unknown protocol/i;

/** The reason of an OpenSSL error line (`...:error:0A00010B:SSL routines:FUNC:REASON:FILE:LINE:`). */
const OPENSSL_REASON = /error:[0-9A-Fa-f]+:[^:]*:[^:]*:([^:]+)/;

export const NOT_TLS_MESSAGE = "the port does not speak TLS (is XENHERD_URL the controller's https URL and port?)";

/** The socket error says the far end does not speak TLS at all: a certificate hint would mislead. */
export const isNotTls = (e: NodeJS.ErrnoException): boolean => NOT_TLS.test(e.message);

/**
 * `CODE: message` (or the message alone) on one line. OpenSSL's errors carry its source paths
 * and a newline: only their reason is kept, and a port that speaks no TLS is said in words.
 */
export const describeSocketError = (e: NodeJS.ErrnoException): string => {
  if (isNotTls(e)) return NOT_TLS_MESSAGE;
  const reason = OPENSSL_REASON.exec(e.message)?.[1];
  const text = reason !== undefined ? `TLS error: ${reason}` : e.message.replace(/\s+/g, ' ').trim();
  return `${e.code ? `${e.code}: ` : ''}${text}`;
};

/**
 * A TLS connection to URL's host that nothing has been written to until its certificate chain
 * passed untrustedBecause against ANCHORS: the caller writes its token only into a socket this
 * resolved with. OpenSSL's own verification is off (no CA is given to it, so Node never loads
 * its root store); this check takes its place.
 */
export function connectVerified(url: URL, anchors: readonly X509Certificate[], now: () => number, signal?: AbortSignal): Promise<Result<TLSSocket, TlsConnectFailure>> {
  const target = tlsTarget(url);
  return new Promise((resolve) => {
    const socket = connect({
      ...target,
      ...TRY_EVERY_ADDRESS,
      ca: [],
      rejectUnauthorized: false,
    });
    const fail = (f: TlsConnectFailure): void => {
      socket.destroy();
      resolve(err(f));
    };
    const aborted = (): void => fail({ kind: 'unreachable', message: 'aborted' });
    signal?.addEventListener('abort', aborted, { once: true });
    const failed = (e: NodeJS.ErrnoException): void => fail({ kind: 'unreachable', message: describeSocketError(e) });
    socket.once('error', failed);
    socket.once('secureConnect', () => {
      signal?.removeEventListener('abort', aborted);
      let why: Untrusted | null;
      try {
        why = untrustedBecause(presentedChain(socket), anchors, target.host, now());
      } catch (e) {
        why = { message: `its certificate could not be read (${(e as Error).message})`, fix: NOT_TRUSTED_FIX };
      }
      if (why !== null) return fail({ kind: 'untrusted', ...why });
      // from here the HTTP request that takes the socket hears its errors
      socket.removeListener('error', failed);
      resolve(ok(socket));
    });
  });
}
