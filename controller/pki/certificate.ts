import { createHash, createPublicKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { HOST_NAME_RE } from '../../shared/names.js';
import * as der from './der.js';
import { ipBytes } from './ip-bytes.js';

/**
 * X.509 v3 certificates for the controller's quick start: a CA and a server certificate it signs.
 * Node makes the keys (ECDSA P-256) and the signatures; this file only lays out the DER (RFC 5280).
 * Tests read the results back with X509Certificate, complete TLS handshakes with them, and run
 * `openssl verify` on them.
 */
export interface Issued {
  readonly certPem: string;
  readonly keyPem: string;
  readonly der: Buffer;
  readonly key: KeyObject;
}

const OID = {
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
} as const;

const DAY = 86_400_000;
/**
 * Backdated a day: a Dom0 or an operator's machine whose clock is behind the controller's would
 * otherwise refuse a certificate made just now as "not valid before" (every agent link of the
 * fleet down right after init, on a clock ten minutes slow). Nothing is lost by it: the CA and
 * the server certificate did not exist before init anyway.
 */
const SKEW_MS = DAY;

const name = (cn: string): Buffer =>
  der.sequence(der.set(der.sequence(der.objectIdentifier(OID.organization), der.utf8String('xenherd'))), der.set(der.sequence(der.objectIdentifier(OID.commonName), der.utf8String(cn))));

const extension = (oid: string, critical: boolean, value: Buffer): Buffer =>
  der.sequence(der.objectIdentifier(oid), ...(critical ? [der.boolean(true)] : []), der.octetString(value));

/** RFC 5280 4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits. */
function keyId(spki: Buffer): Buffer {
  // SubjectPublicKeyInfo = SEQUENCE { AlgorithmIdentifier, BIT STRING }: the bit string is last;
  // for P-256 it is a 66-byte TLV (03 42 00 04 ...), i.e. the last 65 bytes are the point.
  return createHash('sha1').update(spki.subarray(spki.length - 65)).digest();
}

interface Spec {
  readonly subject: string;
  readonly issuer: string;
  readonly now: number;
  readonly days: number;
  readonly publicKey: KeyObject;
  readonly signingKey: KeyObject;
  readonly issuerSpki: Buffer;
  readonly extensions: readonly Buffer[];
}

function build(s: Spec): Buffer {
  const spki = s.publicKey.export({ type: 'spki', format: 'der' });
  const alg = der.sequence(der.objectIdentifier(OID.ecdsaWithSha256));
  const exts = [
    ...s.extensions,
    extension(OID.subjectKeyIdentifier, false, der.octetString(keyId(spki))),
    extension(OID.authorityKeyIdentifier, false, der.sequence(der.implicitPrimitive(0, keyId(s.issuerSpki)))),
  ];
  const tbs = der.sequence(
    der.explicit(0, der.smallInteger(2)),
    der.unsignedInteger(Buffer.concat([Buffer.from([0x40 | (randomBytes(1)[0] as number) & 0x3f]), randomBytes(15)])),
    alg,
    name(s.issuer),
    der.sequence(der.time(s.now - SKEW_MS), der.time(s.now + s.days * DAY)),
    name(s.subject),
    spki,
    der.explicit(3, der.sequence(...exts)),
  );
  return der.sequence(tbs, alg, der.bitString(sign('sha256', tbs, s.signingKey)));
}

const pem = (d: Buffer): string => `-----BEGIN CERTIFICATE-----\n${d.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;
const keyPem = (k: KeyObject): string => k.export({ type: 'pkcs8', format: 'pem' }).toString();

export function makeCa(commonName: string, now: number, days = 3650): Issued & { readonly commonName: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const d = build({
    subject: commonName,
    issuer: commonName,
    now,
    days,
    publicKey,
    signingKey: privateKey,
    issuerSpki: spki,
    extensions: [
      extension(OID.basicConstraints, true, der.sequence(der.boolean(true), der.smallInteger(0))),
      // digitalSignature, keyCertSign, cRLSign
      extension(OID.keyUsage, true, der.namedBits([0, 5, 6])),
    ],
  });
  return { certPem: pem(d), keyPem: keyPem(privateKey), der: d, key: privateKey, commonName };
}

/** The CA's part in issuing: its private key, and its name (as makeCa laid it out: O=xenherd, CN=commonName). */
export type Issuer = Pick<Issued, 'key'> & { readonly commonName: string };

/**
 * A server certificate for the names (DNS names or IP literals) a client may dial: for a new key
 * pair, or for KEY's (a P-256 private key: `renew-cert` keeps the server's key).
 */
export function makeServerCert(ca: Issuer, names: readonly string[], now: number, days = 825, key?: KeyObject): Issued {
  const { publicKey, privateKey } = key === undefined ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : { publicKey: createPublicKey(key), privateKey: key };
  const caSpki = createPublicKey(ca.key).export({ type: 'spki', format: 'der' });
  const sans = names.map((n) => {
    const ip = ipBytes(n);
    if (ip) return der.implicitPrimitive(7, ip);
    if (!HOST_NAME_RE.test(n)) throw new Error(`${JSON.stringify(n)} is neither a host name nor an IP address`);
    return der.implicitPrimitive(2, Buffer.from(n, 'ascii'));
  });
  const d = build({
    subject: names[0] ?? 'xenherd-controller',
    issuer: ca.commonName,
    now,
    days,
    publicKey,
    signingKey: ca.key,
    issuerSpki: caSpki,
    extensions: [
      extension(OID.basicConstraints, true, der.sequence()),
      extension(OID.keyUsage, true, der.namedBits([0])),
      extension(OID.extKeyUsage, false, der.sequence(der.objectIdentifier(OID.serverAuth))),
      extension(OID.subjectAltName, false, der.sequence(...sans)),
    ],
  });
  return { certPem: pem(d), keyPem: keyPem(privateKey), der: d, key: privateKey };
}
