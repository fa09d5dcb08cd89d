import { createPrivateKey, type KeyObject, type X509Certificate } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import type { XhError } from '../../shared/errors.js';
import { readRegularFileSync } from '../../shared/fs/regular-file.js';
import { err, ok, type Result } from '../../shared/result.js';
import type { ControllerConfig } from '../config/schema.js';
import { readCaCertificate, readTlsFiles } from '../config/tls-files.js';
import type { Issuer } from '../pki/certificate.js';

/** What renew-cert works from: the files as controller.json names them, each read and checked. */
export interface RenewalSources {
  readonly certFile: string;
  readonly keyFile: string;
  readonly caFile: string;
  readonly caKeyFile: string;
  /** tls.cert as it is now: kept as tls.cert + ".bak" */
  readonly oldPem: string;
  readonly leaf: X509Certificate;
  /** tls.key: the new certificate is for this same key */
  readonly serverKey: KeyObject;
  readonly ca: X509Certificate;
  readonly issuer: Issuer;
}

const config = (file: string, key: string, what: string): XhError => ({ code: 'XH_ERR_CONFIG', message: `${file}: key "${key}": ${what}` });
const refused = (message: string): XhError => ({ code: 'XH_ERR_REFUSED', message });

/** Whether KEY is an ECDSA P-256 key, the only kind the controller's certificates are laid out for (controller/pki/certificate.ts). */
const isP256 = (key: KeyObject): boolean => key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1';
const kindOf = (key: KeyObject): string => `${key.asymmetricKeyType ?? 'unknown'}${key.asymmetricKeyDetails?.namedCurve !== undefined ? ` ${key.asymmetricKeyDetails.namedCurve}` : ''}`;

function readKey(path: string, fix: string): Result<KeyObject, XhError> {
  const text = readRegularFileSync(path, { symlinks: 'follow' });
  if (!text.ok) return err({ code: 'XH_ERR_FILE', message: `${text.error.message}: ${fix}` });
  try {
    return ok(createPrivateKey(text.value));
  } catch (e) {
    return err(refused(`${path} is not a private key Node can read (${(e as Error).message}): ${fix}`));
  }
}

/**
 * The certificate to renew and what renews it, from C (the config read from C.file): tls.cert,
 * tls.key and tls.ca as serve checks them (readTlsFiles: the key is the certificate's, the CA
 * signed it), and the CA's private key: CAKEY, or ca.key beside tls.ca, where init writes it.
 * Only the kind of certificate init makes can be renewed here: ECDSA P-256 keys, a CA named
 * "O=xenherd, CN=...". Every refusal names the file or key at fault and the fix.
 */
export function renewalSources(c: ControllerConfig & { file: string }, caKey: string | undefined): Result<RenewalSources, XhError> {
  if (c.tls === false) return err(config(c.file, 'tls', 'is false (plaintext): there is no certificate to renew'));
  if (c.tls.ca === null) {
    return err(config(c.file, 'tls.ca', 'is not set: renew-cert issues the new certificate from the CA that signed the old one, named there (init writes DIR/tls/ca.crt, and its key DIR/tls/ca.key beside it)'));
  }
  const checked = readTlsFiles(c, c.file);
  if (!checked.ok) return checked;
  if (checked.value === null) return err(config(c.file, 'tls', 'is false (plaintext): there is no certificate to renew'));
  const { cert: certFile, key: keyFile, ca: caFile } = c.tls;
  const oldPem = readRegularFileSync(certFile, { symlinks: 'follow' });
  if (!oldPem.ok) return oldPem;
  const serverKey = readKey(keyFile, 'fix tls.key');
  if (!serverKey.ok) return serverKey;
  if (!isP256(serverKey.value)) {
    return err(refused(`${keyFile} (tls.key) is a ${kindOf(serverKey.value)} key: renew-cert keeps the server's key and lays out certificates as init does, for ECDSA P-256 keys only: renew this certificate with the tools that made it`));
  }
  const ca = readCaCertificate(caFile, c.file);
  if (!ca.ok) return ca;
  const cn = /^O=xenherd\nCN=([^\n]+)$/.exec(ca.value.cert.subject)?.[1];
  if (!ca.value.cert.ca || cn === undefined) {
    return err(refused(`${caFile} (tls.ca, ${JSON.stringify(ca.value.cert.subject.replace(/\n/g, ', '))}) is not a CA \`xenherd-controller init\` made: renew the certificate with the tools of that CA`));
  }
  const caKeyFile = caKey === undefined ? join(dirname(caFile), 'ca.key') : resolve(caKey);
  const keyFix = `renew-cert signs with the private key of the CA in tls.ca (${caFile}), which init writes beside it as ca.key: give it with --ca-key FILE`;
  const key = readKey(caKeyFile, keyFix);
  if (!key.ok) return key;
  if (!isP256(key.value) || !ca.value.cert.checkPrivateKey(key.value)) return err(refused(`${caKeyFile} is not the private key of the CA: ${keyFix}`));
  return ok({ certFile, keyFile, caFile, caKeyFile, oldPem: oldPem.value, leaf: checked.value.leaf, serverKey: serverKey.value, ca: ca.value.cert, issuer: { key: key.value, commonName: cn } });
}
