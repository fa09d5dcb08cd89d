import { closeSync, constants, fstatSync, lstatSync, openSync, readlinkSync, readSync, statSync, type Stats } from 'node:fs';
import { lstat, open, stat } from 'node:fs/promises';
import type { XhError } from '../errors.js';
import { err, ok, type Result } from '../result.js';

/**
 * The one way xenherd reads a file from disk: only a regular file, never blocking.
 *
 * Why: a FIFO planted as ledger.json or as a guarded .cfg made a plain readFile wait forever for
 * a writer (the forced command, `inventory` and the daemon hung; the daemon then ignored SIGTERM),
 * and opening a device can have side effects. So: stat first and refuse anything but a regular
 * file; open with O_NONBLOCK (a FIFO swapped in after the stat cannot block the open) and
 * O_NOCTTY; fstat the opened file and check it is the same regular file; read at most `maxBytes`.
 * Files xenherd writes itself are never symlinks, so by default a symlink is refused (O_NOFOLLOW);
 * operators' configs may legitimately be symlinks to regular files: `symlinks: 'follow'`.
 */
export interface FileFailure extends XhError {
  readonly code: 'XH_ERR_FILE';
  /** the path as reported (the `display` name when one was given) */
  readonly path: string;
  /** ENOENT, EACCES, ENOTDIR, ELOOP (a refused symlink), EISDIR, ENOTREG (FIFO, socket, device), EFBIG ... */
  readonly errno: string;
}

export interface ReadOptions {
  /** 'refuse' (default): a symlink is ELOOP; 'follow': read the regular file it points at */
  readonly symlinks?: 'follow' | 'refuse';
  /** larger files are EFBIG (default 16 MiB) */
  readonly maxBytes?: number;
  /** the name used in failures (e.g. a host path under XENHERD_HOST_ROOT) */
  readonly display?: string;
}

/** What was read, with the identity of the file it came from (for a caller that must act on that very file). */
export interface RegularFile {
  readonly text: string;
  readonly dev: number;
  readonly ino: number;
  readonly mtimeMs: number;
  /** the permission bits (st_mode & 0o7777) */
  readonly mode: number;
  /** the owner's user id */
  readonly uid: number;
  /** the file's group id */
  readonly gid: number;
}

export const DEFAULT_MAX_BYTES = 16 * 1024 * 1024;
const CHUNK = 64 * 1024;

const kindOf = (st: Stats): string =>
  st.isFIFO() ? 'a FIFO' : st.isSocket() ? 'a socket' : st.isCharacterDevice() ? 'a character device' : st.isBlockDevice() ? 'a block device' : 'not a regular file';

/** A failure for `path` from an errno (or a thrown error), with words a person can act on. */
export function fileFailure(path: string, cause: unknown, detail?: string): FileFailure {
  const errno = typeof cause === 'string' ? cause : ((cause as NodeJS.ErrnoException | null)?.code ?? 'EIO');
  const why =
    detail ??
    ({
      ENOENT: 'does not exist',
      EACCES: 'permission denied',
      ENOTDIR: 'is not a directory',
      ELOOP: 'is a symbolic link, which xenherd does not follow here: replace it with the regular file itself',
      EISDIR: 'is a directory, not a file',
    } as Record<string, string>)[errno] ??
    errno;
  return { code: 'XH_ERR_FILE', path, errno, message: `${path}: ${why}` };
}

/** A symbolic link at PATH whose target is missing: its target, else null. */
function danglingTarget(path: string): string | null {
  try {
    return lstatSync(path).isSymbolicLink() ? readlinkSync(path) : null;
  } catch {
    return null;
  }
}

/**
 * Where links are followed, ELOOP is a loop of them (or a chain longer than the kernel follows),
 * not a link refused; and ENOENT may be a link whose target is gone, which `ls` shows as present.
 */
function openFailure(path: string, shown: string, cause: unknown, follow: boolean): FileFailure {
  const errno = (cause as NodeJS.ErrnoException | null)?.code;
  if (follow && errno === 'ELOOP') return fileFailure(shown, cause, 'is a loop of symbolic links (or a chain too long to follow): point it at the real file');
  const target = follow && errno === 'ENOENT' ? danglingTarget(path) : null;
  if (target !== null) return fileFailure(shown, cause, `is a symbolic link to ${JSON.stringify(target)}, which does not exist: point it at the real file`);
  return fileFailure(shown, cause);
}

/** null when `st` is a regular file, else why not */
function notRegular(shown: string, st: Stats, max: number): FileFailure | null {
  if (st.isSymbolicLink()) return fileFailure(shown, 'ELOOP');
  if (st.isDirectory()) return fileFailure(shown, 'EISDIR');
  if (!st.isFile()) return fileFailure(shown, 'ENOTREG', `is ${kindOf(st)}, not a regular file: xenherd reads only regular files (it would block or have side effects): replace it with the regular file it should be`);
  // procfs files report size 0: the size is checked again while reading
  if (st.size > max) return fileFailure(shown, 'EFBIG', `is larger than ${max} bytes: not a file xenherd reads`);
  return null;
}

const flags = (follow: boolean): number => constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY | (follow ? 0 : constants.O_NOFOLLOW);

/** the opened file must be the one stat'ed before the open: else it was swapped meanwhile */
function sameFile(shown: string, before: Stats, after: Stats, max: number): FileFailure | null {
  const bad = notRegular(shown, after, max);
  if (bad) return bad;
  return before.dev === after.dev && before.ino === after.ino ? null : fileFailure(shown, 'EAGAIN', 'was replaced while being opened: try again');
}

const tooBig = (shown: string, max: number): FileFailure => fileFailure(shown, 'EFBIG', `is larger than ${max} bytes: not a file xenherd reads`);

export function readRegularSync(path: string, opts: ReadOptions = {}): Result<RegularFile, FileFailure> {
  const shown = opts.display ?? path;
  const follow = opts.symlinks === 'follow';
  const max = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  let before: Stats;
  let fd: number;
  try {
    before = follow ? statSync(path) : lstatSync(path);
    const bad = notRegular(shown, before, max);
    if (bad) return err(bad);
    fd = openSync(path, flags(follow));
  } catch (e) {
    return err(openFailure(path, shown, e, follow));
  }
  try {
    const st = fstatSync(fd);
    const bad = sameFile(shown, before, st, max);
    if (bad) return err(bad);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(CHUNK);
      const n = readSync(fd, buf, 0, CHUNK, null);
      if (n === 0) break;
      total += n;
      if (total > max) return err(tooBig(shown, max));
      chunks.push(buf.subarray(0, n));
    }
    return ok({ text: Buffer.concat(chunks).toString('utf8'), dev: st.dev, ino: st.ino, mtimeMs: st.mtimeMs, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid });
  } catch (e) {
    return err(fileFailure(shown, e));
  } finally {
    closeSync(fd);
  }
}

export async function readRegular(path: string, opts: ReadOptions = {}): Promise<Result<RegularFile, FileFailure>> {
  const shown = opts.display ?? path;
  const follow = opts.symlinks === 'follow';
  const max = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  let fh: Awaited<ReturnType<typeof open>>;
  let before: Stats;
  try {
    before = follow ? await stat(path) : await lstat(path);
    const bad = notRegular(shown, before, max);
    if (bad) return err(bad);
    fh = await open(path, flags(follow));
  } catch (e) {
    return err(openFailure(path, shown, e, follow));
  }
  try {
    const st = await fh.stat();
    const bad = sameFile(shown, before, st, max);
    if (bad) return err(bad);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(CHUNK);
      const { bytesRead } = await fh.read(buf, 0, CHUNK, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > max) return err(tooBig(shown, max));
      chunks.push(buf.subarray(0, bytesRead));
    }
    return ok({ text: Buffer.concat(chunks).toString('utf8'), dev: st.dev, ino: st.ino, mtimeMs: st.mtimeMs, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid });
  } catch (e) {
    return err(fileFailure(shown, e));
  } finally {
    await fh.close();
  }
}

const textOnly = <E>(r: Result<RegularFile, E>): Result<string, E> => (r.ok ? ok(r.value.text) : r);

/** The text of a regular file (see the module comment); never blocks on a FIFO. */
export const readRegularFileSync = (path: string, opts?: ReadOptions): Result<string, FileFailure> => textOnly(readRegularSync(path, opts));
export const readRegularFile = async (path: string, opts?: ReadOptions): Promise<Result<string, FileFailure>> => textOnly(await readRegular(path, opts));
