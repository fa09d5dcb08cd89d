import { X509Certificate } from 'node:crypto';
import { err, ok, type Result } from '../result.js';

const PEM_BLOCK_RE = /-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g;

/**
 * Every certificate of a PEM file; the error says which one is broken. Node's TLS takes any text
 * as a CA without complaint and then only says a certificate could not be verified, which sends
 * the operator after the server instead of the file: so both xenherdctl and the agent read the
 * file through this first.
 */
export function parseCaBundle(pem: string): Result<readonly X509Certificate[], string> {
  const blocks = pem.match(PEM_BLOCK_RE) ?? [];
  if (blocks.length === 0) return err('holds no PEM certificate (-----BEGIN CERTIFICATE-----)');
  const certs: X509Certificate[] = [];
  for (const [i, block] of blocks.entries()) {
    try {
      certs.push(new X509Certificate(block));
    } catch (e) {
      return err(`certificate ${i + 1} of ${blocks.length} is not a valid X.509 certificate (${(e as Error).message})`);
    }
  }
  return ok(certs);
}
