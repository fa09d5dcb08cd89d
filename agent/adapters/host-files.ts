import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { XhError } from '../../shared/errors.js';
import { err, ok, type Result } from '../../shared/result.js';

/**
 * Reads this host's files (/etc/xen/..., /proc/drbd, /var/lib/xenherd/...). Every path is taken
 * as an absolute host path and resolved under `root`, which is "/" on a real Dom0 and a
 * simulated host's directory under the fleet simulator (env XENHERD_HOST_ROOT).
 */
export interface FileFailure extends XhError {
  readonly code: 'XH_ERR_FILE';
  readonly path: string;
  /** ENOENT, EACCES, ENOTDIR ... */
  readonly errno: string;
}

export interface HostFiles {
  /** the path as the operator knows it, for messages */
  readonly display: (hostPath: string) => string;
  readonly readText: (hostPath: string) => Promise<Result<string, FileFailure>>;
  /** entries of a directory, sorted by name */
  readonly list: (hostPath: string) => Promise<Result<string[], FileFailure>>;
}

const failure = (path: string, e: unknown): FileFailure => {
  const errno = (e as NodeJS.ErrnoException).code ?? 'EIO';
  const why = errno === 'ENOENT' ? 'does not exist' : errno === 'EACCES' ? 'permission denied' : errno === 'ENOTDIR' ? 'is not a directory' : errno;
  return { code: 'XH_ERR_FILE', path, errno, message: `${path}: ${why}` };
};

export function hostFiles(root = '/'): HostFiles {
  const real = (hostPath: string): string => (root === '/' ? hostPath : join(root, hostPath));
  const display = (hostPath: string): string => (root === '/' ? hostPath : `${hostPath} (under ${root})`);
  return {
    display,
    readText: async (hostPath) => {
      try {
        return ok(await readFile(real(hostPath), 'utf8'));
      } catch (e) {
        return err(failure(display(hostPath), e));
      }
    },
    list: async (hostPath) => {
      try {
        return ok((await readdir(real(hostPath))).sort());
      } catch (e) {
        return err(failure(display(hostPath), e));
      }
    },
  };
}
