import { closeSync, constants, fchmodSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { err, ok, type Result } from '../result.js';
import { fileFailure, type FileFailure } from './regular-file.js';

/**
 * The one way xenherd writes a file: the new content goes to `<path>.tmp-<pid>`, created
 * exclusively (O_CREAT|O_EXCL|O_NOFOLLOW, so nothing planted at that name is ever opened, let
 * alone truncated: a planted symlink there once had root overwrite the file it pointed at) with
 * mode 0600, written, fsynced, renamed over `path`, and the directory fsynced. A kill at any point
 * leaves `path` either the old or the new complete file. rename() replaces a symlink at `path`
 * with the new regular file; what the link pointed at is not touched.
 *
 * The temp name carries the pid, and a write is synchronous from open to rename (no other code of
 * this process runs in between; xenherd uses no worker threads), so something already at that
 * name is never a write in progress: it is left from a killed process that had our pid, or
 * planted. Its name is removed (unlink removes a symlink itself, not its target) and the
 * exclusive create is tried again; a directory there cannot be unlinked and is reported.
 *
 * The caller makes sure the directory is xenherd's own (agent/adapters/state-dir.ts).
 */
export interface AtomicWriteOptions {
  /** the file's mode whatever the umask (default 0600: xenherd's state is root's business) */
  readonly mode?: number;
}

const CREATE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

function createExclusive(tmp: string, mode: number): Result<number, FileFailure> {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return ok(openSync(tmp, CREATE, mode));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') return err(fileFailure(tmp, e, `cannot create the temp file: ${(e as Error).message}`));
      try {
        unlinkSync(tmp);
      } catch (u) {
        return err(fileFailure(tmp, u, `is in the way of xenherd's temp file and cannot be removed (${(u as NodeJS.ErrnoException).code ?? 'error'}): remove it`));
      }
    }
  }
  return err(fileFailure(tmp, 'EEXIST', 'keeps reappearing in the way of xenherd\'s temp file: find out what creates it'));
}

function writeAll(fd: number, data: Uint8Array): void {
  let off = 0;
  while (off < data.length) off += writeSync(fd, data, off, data.length - off);
}

/** fsync a directory, so a rename in it survives a power cut */
export function fsyncDir(dir: string): void {
  const fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function writeFileAtomic(path: string, data: string | Uint8Array, opts: AtomicWriteOptions = {}): Result<void, FileFailure> {
  const mode = opts.mode ?? 0o600;
  const tmp = `${path}.tmp-${process.pid}`;
  const created = createExclusive(tmp, mode);
  if (!created.ok) return created;
  const fd = created.value;
  const drop = (): void => {
    try {
      unlinkSync(tmp);
    } catch {
      /* already gone */
    }
  };
  try {
    writeAll(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    // the umask may have taken bits away from the mode given to open()
    fchmodSync(fd, mode);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    drop();
    return err(fileFailure(path, e, `cannot write (${(e as Error).message}); the file is unchanged`));
  }
  closeSync(fd);
  try {
    renameSync(tmp, path);
  } catch (e) {
    drop();
    return err(fileFailure(path, e, `cannot replace it (${(e as Error).message}); the file is unchanged`));
  }
  try {
    fsyncDir(dirname(path));
  } catch (e) {
    return err(fileFailure(dirname(path), e, `written, but the directory cannot be fsynced (${(e as Error).message}): the change may not survive a power cut`));
  }
  return ok(undefined);
}
