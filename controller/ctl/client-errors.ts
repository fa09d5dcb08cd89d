import * as z from 'zod';
import type { XhError } from '../../shared/errors.js';
import { WireErrorCodeSchema } from '../../shared/protocol/wire-error-code.js';
import { andList } from '../../shared/text/and-list.js';
import { clipped } from '../../shared/text/printable.js';
import { NOT_TRUSTED_FIX, type CertificateTimeFault } from './trusted-chain.js';
import { isNotTls } from './verified-tls.js';

/* How a failure to reach the controller, or a refusal it could not read, is told (client.ts). */

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

/**
 * A refused connection is the one failure that proves no request went out: said, since an operator
 * whose migrate or drain failed so must otherwise wonder whether anything moved, and where to look.
 */
export const REFUSED_HINT = ' (nothing listens there, so nothing was sent and nothing moved: is xenherd-controller running? on its host: systemctl status xenherd-controller)';

export const unreachable = (url: URL, why: string): XhError => ({
  code: 'XH_ERR_CONTROLLER_UNREACHABLE',
  message: `cannot reach the controller at ${url.origin}: ${why}${/\bECONNREFUSED\b/.test(why) ? REFUSED_HINT : ''}`,
});

/** A failure to ask the controller; `certificateTime` when its certificate was refused for its time alone (trusted-chain.ts). */
export type CtlError = XhError & { readonly certificateTime?: CertificateTimeFault };

const NewerRefusalSchema = z.object({ error: z.object({ code: WireErrorCodeSchema, message: z.string() }) });

/**
 * An error answer (HTTP STATUS, RAW its JSON) that did not read as one of this build's catalog.
 * A newer controller refuses with codes this xenherdctl has never heard of: still a protocol
 * error (what decides an exit code stays strict), but with its code and words, which were dropped
 * for "without an error code", so the operator read neither why nor that xenherdctl is the older side.
 */
export function unreadRefusal(status: number, raw: unknown): XhError {
  const e = NewerRefusalSchema.safeParse(raw);
  if (!e.success) return { code: 'XH_ERR_PROTOCOL', message: `the controller answered HTTP ${status} without an error code` };
  const { code, message } = e.data.error;
  return { code: 'XH_ERR_PROTOCOL', message: `the controller refused the request with ${code}, an error code this xenherdctl does not know (the controller is newer: upgrade xenherdctl to read it): ${clipped(message, 2000)}` };
}

/**
 * Request keys this xenherdctl sends only when their option is given, so that a controller older
 * than the option refuses the request (its body schema is strict) rather than run it without.
 */
const OPTION_OF_KEY: ReadonlyMap<string, string> = new Map([
  ['dryRun', '--dry-run'],
  ['coldFallback', '--cold-fallback'],
  ['groupSize', '--group-size'],
]);

/**
 * E, a controller's refusal of BODY, said as what it is when it refuses only keys of options given
 * (its words: 'body: Unrecognized key: "dryRun"'): the controller is older than this xenherdctl.
 * Left as it came, it read as the operator's usage error, naming a key no one typed.
 */
export function olderControllerRefusal<E extends XhError>(e: E, body: unknown): E | XhError {
  const m = e.code === 'XH_ERR_USAGE' ? /\bbody: Unrecognized keys?: ("[^"]*"(?:, "[^"]*")*)/.exec(e.message) : null;
  if (m?.[1] === undefined || typeof body !== 'object' || body === null) return e;
  const keys = [...m[1].matchAll(/"([^"]*)"/g)].map((k) => k[1] ?? '');
  const given = (k: string): boolean => Object.hasOwn(body, k) && (body as Record<string, unknown>)[k] !== false;
  const options = keys.flatMap((k) => {
    const option = OPTION_OF_KEY.get(k);
    return option !== undefined && given(k) ? [option] : [];
  });
  if (options.length === 0 || options.length !== keys.length) return e;
  const them = options.length === 1 ? 'it' : 'them';
  return {
    code: 'XH_ERR_PROTOCOL',
    message: `the controller is older than this xenherdctl and does not know ${andList(options)}: nothing was started; upgrade the controller, or run the command without ${them} (its refusal: ${clipped(e.message, 300)})`,
  };
}
