import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { sanNames } from '../../shared/tls/san-names.js';
import { utcMinuteText } from '../../shared/text/utc-time.js';

/**
 * The controller's certificate checked against exactly the CA file xenherdctl was given, here
 * instead of by Node's TLS: Node cannot trust a CA of ours without first parsing its whole
 * bundled root store (about 140 certificates, some 45 ms on every xenherdctl start), and the
 * operator's CA is all xenherdctl ever trusts anyway. OpenSSL still does each signature check,
 * issuer match and host match (X509Certificate); this file only walks the chain.
 *
 * What it accepts: the presented leaf, valid now, names the host dialled (DNS name or IP), is not
 * restricted to other uses than TLS servers, and is either a certificate of the CA file itself or
 * issued by one, directly or through presented intermediates that are CAs, every link valid now.
 * As in Node, any certificate of the CA file is an anchor, root or not.
 *
 * What it says when it refuses: the trust first (a certificate no CA of the file signed is the CA
 * file's problem, whatever it names), then the name, then the time. Each refusal carries its fix:
 * a certificate of the right CA that expired or names other hosts is not cured by another CA file.
 */

/**
 * A certificate of the chain refused for its time alone: expired, or not valid yet. Unlike a
 * refusal of the trust or the name, this is certain of the certificate itself, and every agent
 * refuses it as well: `check` says CRITICAL, not UNKNOWN (commands/check.ts).
 */
export interface CertificateTimeFault {
  readonly fault: 'expired' | 'not-yet-valid';
  /** its notAfter (expired) or notBefore (not valid yet), ms since the epoch */
  readonly at: number;
  /** whether it is the controller's own certificate (renewable) rather than a CA's */
  readonly leaf: boolean;
}

/** Why the chain is not trusted, and what to do about it. */
export interface Untrusted {
  readonly message: string;
  readonly fix: string;
  /** set when the only fault is a certificate's time */
  readonly time?: CertificateTimeFault;
}

/** the fix when no CA of the CA file vouches for the certificate */
export const NOT_TRUSTED_FIX = "the certificate is not trusted: XENHERD_CA must be the controller's tls/ca.crt";
const RENEW = 'xenherd-controller renew-cert';

/** extended key usages that allow a TLS server */
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const ANY_EXTENDED_KEY_USAGE = '2.5.29.37.0';
/** intermediates followed before giving up: real chains are 1 to 3 long */
const MAX_INTERMEDIATES = 8;

const named = (c: X509Certificate): string => JSON.stringify(c.subject.replace(/\n/g, ', '));
const untrusted = (message: string, fix = NOT_TRUSTED_FIX): Untrusted => ({ message, fix });

/** Why C is not valid at NOW, LEAF saying whether it is the server's own certificate (renewable) or a CA's. */
function validAt(c: X509Certificate, now: number, leaf: boolean): Untrusted | null {
  const from = Date.parse(c.validFrom);
  const to = Date.parse(c.validTo);
  if (now < from) return { ...untrusted(`${named(c)} is not valid before ${utcMinuteText(from)}`, "is this machine's clock right? compare `date -u` here and on the controller"), time: { fault: 'not-yet-valid', at: from, leaf } };
  if (now <= to) return null;
  const fix = leaf
    ? `renew it on the controller: ${RENEW}, then restart the controller`
    : `that CA can sign nothing valid any more, so ${RENEW} cannot help: the controller needs a certificate of a CA still valid, and XENHERD_CA that CA`;
  return { ...untrusted(`${named(c)} expired on ${utcMinuteText(to)}`, fix), time: { fault: 'expired', at: to, leaf } };
}

const signs = (issuer: X509Certificate, c: X509Certificate): boolean => issuer.ca && c.checkIssued(issuer) && c.verify(issuer.publicKey);

/**
 * How LEAF reaches the CA file, signatures only: the certificates from the leaf up (the leaf
 * first) and the certificates of the file that sign the last of them (none when the last is in
 * the file itself); or why it does not.
 */
function chainTo(leaf: X509Certificate, presented: readonly X509Certificate[], anchors: readonly X509Certificate[]): { path: X509Certificate[]; signers: X509Certificate[] } | Untrusted {
  const path = [leaf];
  for (let current = leaf, depth = 0; depth <= MAX_INTERMEDIATES; depth++) {
    if (anchors.some((a) => a.raw.equals(current.raw))) return { path, signers: [] };
    const signers = anchors.filter((a) => signs(a, current));
    if (signers.length > 0) return { path, signers };
    const next = presented.find((c) => !path.includes(c) && signs(c, current));
    // a root of its own (self-signed): naming it as its own issuer would read as a riddle
    if (next === undefined && current.ca && signs(current, current)) return untrusted(`the chain ends at the CA ${named(current)}, which is not in the CA file`);
    if (next === undefined) return untrusted(`${named(current)} is not signed by a CA of the CA file (its issuer: ${JSON.stringify(current.issuer.replace(/\n/g, ', '))})`);
    path.push(next);
    current = next;
  }
  return untrusted(`more than ${MAX_INTERMEDIATES} intermediate certificates`);
}

/** The leaf does not name HOST: what it names, and how to dial one of those or add HOST. */
function wrongName(leaf: X509Certificate, host: string): Untrusted {
  const { names } = sanNames(leaf);
  const renew = `renew the certificate on the controller with this one: ${RENEW} --name ${host}, then restart the controller`;
  const fix = names.length === 0 ? renew : `use ${names.length === 1 ? 'that name' : 'one of those'} in XENHERD_URL, or ${renew}`;
  return untrusted(`its certificate ${named(leaf)} does not name ${host} (it names ${names.length > 0 ? names.join(', ') : 'no host names'})`, fix);
}

/**
 * null when PRESENTED (the leaf first, then what else the server sent) is trusted for HOST (a
 * name or a bare IP literal) at NOW (ms since the epoch) by ANCHORS; otherwise why not, in words.
 */
export function untrustedBecause(presented: readonly X509Certificate[], anchors: readonly X509Certificate[], host: string, now: number): Untrusted | null {
  const leaf = presented[0];
  if (leaf === undefined) return untrusted('the server presented no certificate');
  const chain = chainTo(leaf, presented, anchors);
  if ('message' in chain) return chain;
  const forHost = isIP(host) !== 0 ? leaf.checkIP(host) : leaf.checkHost(host);
  if (forHost === undefined) return wrongName(leaf, host);
  const uses = leaf.keyUsage as readonly string[] | undefined;
  if (uses !== undefined && uses.length > 0 && !uses.includes(SERVER_AUTH) && !uses.includes(ANY_EXTENDED_KEY_USAGE)) {
    return untrusted(`its certificate ${named(leaf)} is not for TLS servers (extended key usage ${uses.join(', ')})`, "the controller's tls.cert must be a TLS server certificate");
  }
  for (const [i, c] of chain.path.entries()) {
    const stale = validAt(c, now, i === 0);
    if (stale !== null) return stale;
  }
  // a CA file may hold an old and a renewed copy of one CA: any of them still valid will do
  if (chain.signers.length === 0 || chain.signers.some((a) => validAt(a, now, false) === null)) return null;
  return validAt(chain.signers[0] as X509Certificate, now, false);
}
