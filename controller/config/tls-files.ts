import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readRegularFileSync } from '../../shared/fs/regular-file.js';
import type { XhError } from '../../shared/errors.js';
import { err, ok, type Result } from '../../shared/result.js';
import type { ControllerConfig } from './schema.js';

type TlsKey = 'tls.cert' | 'tls.key' | 'tls.ca';
const MADE_BY_INIT = '`xenherd-controller init` makes a matching set in DIR/tls';
const FIX: Record<TlsKey, string> = {
  'tls.cert': `give the server's certificate as PEM, its chain (if any) after it (${MADE_BY_INIT}: server.crt)`,
  'tls.key': `give the server certificate's own private key as PEM, unencrypted (${MADE_BY_INIT}: server.key; not ca.key)`,
  'tls.ca': `give the CA certificate that signed tls.cert, as PEM (${MADE_BY_INIT}: ca.crt), or leave tls.ca out`,
};

const problem = (file: string, key: TlsKey, what: string): XhError => ({ code: 'XH_ERR_CONFIG', message: `${file}: key "${key}": ${what}: ${FIX[key]}` });

const readPem = (file: string, key: TlsKey, path: string): Result<string, XhError> => {
  const r = readRegularFileSync(path, { symlinks: 'follow' });
  return r.ok ? r : err(problem(file, key, `${r.error.message}: fix the path`));
};

/** Every PEM block's label, in order ("CERTIFICATE", "PRIVATE KEY", ...). */
const pemLabels = (pem: string): string[] => [...pem.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----/g)].map((m) => m[1] as string);

/**
 * PATH's certificates, each parsed: the first is the leaf (or the CA itself for tls.ca). Checked
 * here, when the config is read, so that a broken file is named by its key instead of failing
 * later inside the TLS listener (which blamed `listen`).
 */
function parseCertificates(file: string, key: TlsKey, path: string, pem: string): Result<X509Certificate[], XhError> {
  const labels = pemLabels(pem);
  if (labels.length === 0) return err(problem(file, key, `${path} holds no PEM certificate (no -----BEGIN CERTIFICATE----- line)`));
  const other = labels.find((l) => l !== 'CERTIFICATE');
  if (other !== undefined) return err(problem(file, key, `${path} holds a ${other} block, and only certificates belong there`));
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[^-]*-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length !== labels.length) return err(problem(file, key, `${path} has a certificate without its -----END CERTIFICATE----- line`));
  const certs: X509Certificate[] = [];
  for (const [i, block] of blocks.entries()) {
    try {
      certs.push(new X509Certificate(block));
    } catch (e) {
      const which = blocks.length === 1 ? '' : ` (certificate ${i + 1} of ${blocks.length})`;
      return err(problem(file, key, `${path}${which} is not an X.509 certificate (${(e as Error).message})`));
    }
  }
  return ok(certs);
}

/** tls.ca read and checked: its PEM and the SHA-256 fingerprint agents pin (`enroll` prints it). One rule for serve and enroll. */
export function readCaCertificate(path: string, file: string): Result<{ pem: string; fingerprint256: string; cert: X509Certificate }, XhError> {
  const pem = readPem(file, 'tls.ca', path);
  if (!pem.ok) return pem;
  const certs = parseCertificates(file, 'tls.ca', path, pem.value);
  if (!certs.ok) return certs;
  const cert = certs.value[0] as X509Certificate;
  return ok({ pem: pem.value, fingerprint256: cert.fingerprint256, cert });
}

function parseKey(file: string, path: string, pem: string): Result<KeyObject, XhError> {
  if (/-----BEGIN CERTIFICATE-----/.test(pem) && !/PRIVATE KEY-----/.test(pem)) return err(problem(file, 'tls.key', `${path} holds a certificate, not a private key`));
  try {
    return ok(createPrivateKey(pem));
  } catch (e) {
    return err(problem(file, 'tls.key', `${path} is not a private key Node can read (${(e as Error).message})`));
  }
}

/** Whether KEY is LEAF's private key; a key of another type (RSA for an EC certificate) is not. */
const belongsTo = (leaf: X509Certificate, key: KeyObject): boolean => {
  try {
    return leaf.checkPrivateKey(key);
  } catch {
    return false;
  }
};

const subjectOf = (c: X509Certificate): string => c.subject.replace(/\n/g, ', ');

/**
 * Whether CA signed the chain: its top certificate (the one below the CA, when the chain holds the
 * CA too) names CA as issuer and carries CA's signature. Agents pin tls.ca, so a server
 * certificate from another CA would fail every agent's handshake, each far from this file.
 */
const signedBy = (chain: readonly X509Certificate[], ca: X509Certificate): boolean => {
  const top = chain.filter((c) => c.fingerprint256 !== ca.fingerprint256).at(-1);
  if (top === undefined) return true;
  try {
    return top.checkIssued(ca) && top.verify(ca.publicKey);
  } catch {
    return false;
  }
};

/** What serve listens with: the chain and key as PEM, and the leaf read (when it expires, what it names). */
export interface TlsFiles {
  readonly cert: string;
  readonly key: string;
  readonly leaf: X509Certificate;
}

/**
 * The server's certificate chain and key from the config's files, checked: every certificate in
 * tls.cert parses, tls.key parses and belongs to the first (the leaf), tls.ca parses. The CA is
 * appended to the chain so that an agent pinning the CA by fingerprint can find it in the
 * handshake. Null for plaintext.
 */
export function readTlsFiles(c: ControllerConfig, file: string): Result<TlsFiles | null, XhError> {
  if (c.tls === false) return ok(null);
  const cert = readPem(file, 'tls.cert', c.tls.cert);
  if (!cert.ok) return cert;
  const key = readPem(file, 'tls.key', c.tls.key);
  if (!key.ok) return key;
  const chain = parseCertificates(file, 'tls.cert', c.tls.cert, cert.value);
  if (!chain.ok) return chain;
  const keyObject = parseKey(file, c.tls.key, key.value);
  if (!keyObject.ok) return keyObject;
  const leaf = chain.value[0] as X509Certificate;
  if (!belongsTo(leaf, keyObject.value)) {
    return err(problem(file, 'tls.key', `${c.tls.key} is not the private key of the certificate in tls.cert (${c.tls.cert}, ${subjectOf(leaf)})`));
  }
  if (c.tls.ca === null) return ok({ cert: cert.value, key: key.value, leaf });
  const ca = readCaCertificate(c.tls.ca, file);
  if (!ca.ok) return ca;
  if (!signedBy(chain.value, ca.value.cert)) {
    return err(problem(file, 'tls.ca', `${c.tls.ca} (${subjectOf(ca.value.cert)}) did not sign the certificate in tls.cert (${c.tls.cert}, ${subjectOf(leaf)}), so agents that trust it would refuse every connection`));
  }
  const caPem = ca.value.pem.trim();
  return ok({ cert: cert.value.includes(caPem) ? cert.value : `${cert.value.trimEnd()}\n${caPem}\n`, key: key.value, leaf });
}
