import { underRoot } from '../host/paths.js';
import { readRegularFileSync } from '../../shared/fs/regular-file.js';
import { parseCaBundle } from '../../shared/tls/ca-bundle.js';
import { err, ok, type Result } from '../../shared/result.js';

/**
 * The controller's CA as the config's `caFile` names it (under the host root), read again for
 * every connection so a replaced file is taken without a restart. A file that holds no usable
 * certificate is said to be that: Node would take it and then only report that the controller's
 * certificate cannot be verified.
 */
export function readControllerCa(root: string, caFile: string): Result<string, string> {
  const pem = readRegularFileSync(underRoot(root, caFile), { symlinks: 'follow' });
  if (!pem.ok) return err(`controller.caFile: ${pem.error.message}`);
  const bundle = parseCaBundle(pem.value);
  if (!bundle.ok) {
    return err(
      `controller.caFile: ${caFile} ${bundle.error}: copy the controller's CA certificate there (tls/ca.crt in the directory xenherd-controller init wrote), ` +
        'or replace caFile with caFingerprint as `xenherd-controller enroll HOST` prints it',
    );
  }
  return ok(pem.value);
}
