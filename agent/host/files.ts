import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { err, ok, type Result } from '../../shared/result.js';
import { fileFailure, readRegularFile, type FileFailure } from '../../shared/fs/regular-file.js';

export type { FileFailure } from '../../shared/fs/regular-file.js';

/**
 * Reads this host's files (/etc/xen/..., /proc/drbd, /var/lib/xenherd/...). Every path is taken
 * as an absolute host path and resolved under `root`, which is "/" on a real Dom0 and a
 * simulated host's directory under the fleet simulator (env XENHERD_HOST_ROOT).
 *
 * readText reads regular files only, through the safe reader (agent/adapters/regular-file.ts):
 * a FIFO as a guarded .cfg used to block the read forever (and with it `inventory`, the forced
 * command and the daemon). Symlinks are followed: domU configs in /etc/xen/auto are commonly
 * links to the real file. A FIFO, socket or device is errno ENOTREG; a directory EISDIR.
 */
export interface HostFiles {
  /** the path as the operator knows it, for messages */
  readonly display: (hostPath: string) => string;
  readonly readText: (hostPath: string) => Promise<Result<string, FileFailure>>;
  /** entries of a directory, sorted by name */
  readonly list: (hostPath: string) => Promise<Result<string[], FileFailure>>;
}

/** domU configs, tabs, .res files and /proc/drbd are small; this bounds a hostile one */
const MAX_HOST_FILE_BYTES = 4 * 1024 * 1024;

export function hostFiles(root = '/'): HostFiles {
  const real = (hostPath: string): string => (root === '/' ? hostPath : join(root, hostPath));
  const display = (hostPath: string): string => (root === '/' ? hostPath : `${hostPath} (under ${root})`);
  return {
    display,
    readText: (hostPath) => readRegularFile(real(hostPath), { symlinks: 'follow', maxBytes: MAX_HOST_FILE_BYTES, display: display(hostPath) }),
    list: async (hostPath) => {
      try {
        return ok((await readdir(real(hostPath))).sort());
      } catch (e) {
        return err(fileFailure(display(hostPath), e));
      }
    },
  };
}
