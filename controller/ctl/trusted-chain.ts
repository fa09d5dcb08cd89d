import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';

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
 */

/** extended key usages that allow a TLS server */
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const ANY_EXTENDED_KEY_USAGE = '2.5.29.37.0';
/** intermediates followed before giving up: real chains are 1 to 3 long */
const MAX_INTERMEDIATES = 8;

const named = (c: X509Certificate): string => JSON.stringify(c.subject.replace(/\n/g, ', '));

function validAt(c: X509Certificate, now: number): string | null {
  if (now < Date.parse(c.validFrom)) return `${named(c)} is not valid before ${c.validFrom}`;
  if (now > Date.parse(c.validTo)) return `${named(c)} expired ${c.validTo}`;
  return null;
}

const signs = (issuer: X509Certificate, c: X509Certificate): boolean => issuer.ca && c.checkIssued(issuer) && c.verify(issuer.publicKey);

/**
 * null when PRESENTED (the leaf first, then what else the server sent) is trusted for HOST (a
 * name or a bare IP literal) at NOW (ms since the epoch) by ANCHORS; otherwise why not, in words.
 */
export function untrustedBecause(presented: readonly X509Certificate[], anchors: readonly X509Certificate[], host: string, now: number): string | null {
  const leaf = presented[0];
  if (leaf === undefined) return 'the server presented no certificate';
  const forHost = isIP(host) !== 0 ? leaf.checkIP(host) : leaf.checkHost(host);
  if (forHost === undefined) return `its certificate ${named(leaf)} is not for ${host} (it names ${leaf.subjectAltName ?? 'no alternative names'})`;
  const uses = leaf.keyUsage as readonly string[] | undefined;
  if (uses !== undefined && uses.length > 0 && !uses.includes(SERVER_AUTH) && !uses.includes(ANY_EXTENDED_KEY_USAGE)) return `its certificate ${named(leaf)} is not for TLS servers (extended key usage ${uses.join(', ')})`;
  let current = leaf;
  const path = new Set<X509Certificate>([leaf]);
  for (let depth = 0; depth <= MAX_INTERMEDIATES; depth++) {
    const stale = validAt(current, now);
    if (stale !== null) return stale;
    if (anchors.some((a) => a.raw.equals(current.raw))) return null;
    // a CA file may hold an old and a renewed copy of one CA: any of them still valid will do
    const signers = anchors.filter((a) => signs(a, current));
    if (signers.length > 0) return signers.some((a) => validAt(a, now) === null) ? null : validAt(signers[0] as X509Certificate, now);
    const next = presented.find((c) => !path.has(c) && signs(c, current));
    if (next === undefined) return `${named(current)} is not signed by a CA of the CA file (its issuer: ${JSON.stringify(current.issuer.replace(/\n/g, ', '))})`;
    path.add(next);
    current = next;
  }
  return `more than ${MAX_INTERMEDIATES} intermediate certificates`;
}
