import { readRegularFileSync } from '../../shared/fs/regular-file.js';
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
  const read = (path: string): string | XhError => {
    const r = readRegularFileSync(path, { symlinks: 'follow' });
    return r.ok ? r.value : { code: 'XH_ERR_CONFIG', message: `${file}: key "tls": ${r.error.message}: fix the path, or make the files with \`xenherd-controller init\`` };
  };
  const cert = read(c.tls.cert);
  const key = read(c.tls.key);
  if (typeof cert !== 'string') return err(cert);
  if (typeof key !== 'string') return err(key);
  if (c.tls.ca === null) return ok({ cert, key });
  const ca = read(c.tls.ca);
  if (typeof ca !== 'string') return err(ca);
  return ok({ cert: cert.includes(ca.trim()) ? cert : `${cert.trimEnd()}\n${ca.trim()}\n`, key });
}
