import { statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { err, ok, type Result } from '../../shared/result.js';
import { fileFailure, readRegularFile, readRegularFileSync, type FileFailure } from '../../shared/fs/regular-file.js';

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
  /**
   * The owner and permission bits of the file or dir at the path (symlinks followed, as readText
   * does); null when it cannot be stat'ed. Who can change a guarded domU config decides whether
   * it is started (agent/decide/config-safety.ts).
   */
  readonly access: (hostPath: string) => { readonly mode: number; readonly uid: number } | null;
  /**
   * The stamp of the regular file at the path (symlinks followed, as readText does); null when it
   * is not a regular file or cannot be stat'ed. Lets a cache (file-cache.ts) skip reading a file
   * that did not change; absent where there is no such file (a test's in-memory files).
   */
  readonly stamp?: (hostPath: string) => FileStamp | null;
  /**
   * readText done synchronously: the same checks and failures. For a cache reading hundreds of
   * small files at once, where each step of an async read (stat, open, fstat, read, close) is a
   * thread-pool round trip costing more CPU than the step itself.
   */
  readonly readTextSync?: (hostPath: string) => Result<string, FileFailure>;
  /**
   * The text parsed by `how`, from a reader that parses each text once (file-cache.ts); callers
   * go through readParsed() (parsed-read.ts), which reads and parses where this is absent.
   */
  readonly readParsed?: <T>(hostPath: string, how: TextParse<T>) => Promise<Result<T, FileFailure>>;
}

/**
 * What tells a version of a file without reading it. A write, truncate, chmod, chown or link
 * changes the inode's ctime (which nobody can set), a replaced file (an editor's rename, a
 * re-pointed symlink) has another dev/ino; size and mtime are compared too.
 */
export interface FileStamp {
  readonly dev: number;
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
}

/**
 * A pure parse of a file's text. `key` names the parse and everything it depends on besides the
 * text (e.g. the file name its errors show): one key, one parse, so a result kept for a text
 * stands for what the parse would return again.
 */
export interface TextParse<T> {
  readonly key: string;
  readonly parse: (text: string) => T;
}

/** domU configs, tabs, .res files and /proc/drbd are small; this bounds a hostile one */
const MAX_HOST_FILE_BYTES = 4 * 1024 * 1024;

export function hostFiles(root = '/'): HostFiles {
  const real = (hostPath: string): string => (root === '/' ? hostPath : join(root, hostPath));
  const display = (hostPath: string): string => (root === '/' ? hostPath : `${hostPath} (under ${root})`);
  return {
    display,
    readText: (hostPath) => readRegularFile(real(hostPath), { symlinks: 'follow', maxBytes: MAX_HOST_FILE_BYTES, display: display(hostPath) }),
    readTextSync: (hostPath) => readRegularFileSync(real(hostPath), { symlinks: 'follow', maxBytes: MAX_HOST_FILE_BYTES, display: display(hostPath) }),
    list: async (hostPath) => {
      try {
        return ok((await readdir(real(hostPath))).sort());
      } catch (e) {
        return err(fileFailure(display(hostPath), e));
      }
    },
    // One stat; the safety checks stay with readText, which runs whenever the stamp does not
    // match. Synchronous: an async stat costs some ten times the stat's own CPU (a thread-pool
    // round trip per file), and a full read stats hundreds; a stat opens nothing, so a FIFO or a
    // device cannot block it or see it.
    access: (hostPath) => {
      try {
        const st = statSync(real(hostPath), { throwIfNoEntry: false });
        return st === undefined ? null : { mode: st.mode, uid: st.uid };
      } catch {
        return null;
      }
    },
    stamp: (hostPath) => {
      try {
        const st = statSync(real(hostPath), { throwIfNoEntry: false });
        if (st === undefined) return null;
        return st.isFile() ? { dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs } : null;
      } catch {
        return null;
      }
    },
  };
}
