import type { XhError } from '../../shared/errors.js';
import { NOT_TRUSTED_FIX, type CertificateTimeFault } from './trusted-chain.js';
import { isNotTls } from './verified-tls.js';

/* How a failure to reach the controller is told (client.ts). */

/**
 * What to do about a certificate Node's own TLS refused (no CA file given: the system's CAs).
 * With a CA file xenherdctl checks the chain itself, and its refusal carries its fix (trusted-chain.ts).
 */
export function nodeTlsHint(e: NodeJS.ErrnoException): string {
  if (isNotTls(e) || !/CERT|TLS|SSL|SELF_SIGNED|VERIFY|ALTNAME/.test(e.code ?? '')) return '';
  if (e.code === 'CERT_HAS_EXPIRED') return " (the controller's certificate has expired: renew it on the controller, then restart it)";
  if (e.code === 'ERR_TLS_CERT_ALTNAME_INVALID') return ' (the certificate does not name the host in XENHERD_URL: use a name it has, or renew it with this one on the controller)';
  return ` (${NOT_TRUSTED_FIX})`;
}

/**
 * A TLS server that hears plaintext HTTP drops the connection without an HTTP answer: Node's
 * client reports a reset or "socket hang up", which alone does not say the scheme is wrong.
 */
export const PLAIN_TO_TLS_HINT = " (the controller may speak https: use https:// in XENHERD_URL, with XENHERD_CA the controller's tls/ca.crt)";
export const isHangUp = (e: NodeJS.ErrnoException): boolean => e.code === 'ECONNRESET' || e.code === 'EPIPE' || /socket hang up/i.test(e.message);

export const unreachable = (url: URL, why: string): XhError => ({ code: 'XH_ERR_CONTROLLER_UNREACHABLE', message: `cannot reach the controller at ${url.origin}: ${why}` });

/** A failure to ask the controller; `certificateTime` when its certificate was refused for its time alone (trusted-chain.ts). */
export type CtlError = XhError & { readonly certificateTime?: CertificateTimeFault };
