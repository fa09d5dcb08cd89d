import { readFileSync } from 'node:fs';
import type { XhError } from '../../shared/errors.js';
import { err, ok, type Result } from '../../shared/result.js';
import type { ControllerConfig } from './schema.js';

/**
 * The server's certificate chain and key from the config's files. The CA (tls.ca) is appended
 * to the chain so that an agent pinning the CA by fingerprint can find it in the handshake.
 * Null for plaintext.
 */
export function readTlsFiles(c: ControllerConfig, file: string): Result<{ cert: string; key: string } | null, XhError> {
  if (c.tls === false) return ok(null);
  try {
    let cert = readFileSync(c.tls.cert, 'utf8');
    const key = readFileSync(c.tls.key, 'utf8');
    if (c.tls.ca !== null) {
      const ca = readFileSync(c.tls.ca, 'utf8').trim();
      if (!cert.includes(ca)) cert = `${cert.trimEnd()}\n${ca}\n`;
    }
    return ok({ cert, key });
  } catch (e) {
    return err({ code: 'XH_ERR_CONFIG', message: `${file}: key "tls": ${(e as Error).message}: fix the path, or make the files with \`xenherd-controller init\`` });
  }
}
