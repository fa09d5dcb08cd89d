import { closeSync, constants, fstatSync, linkSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import type { Clock } from '../clock/clock.js';
import { realClock } from '../clock/real-clock.js';
import { dirname } from 'node:path';
import type { XhError } from '../errors.js';
import { err, ok, type Result } from '../result.js';
import { readRegularSync } from './regular-file.js';
import { ensurePrivateDir } from './private-dir.js';
import { HOLDER_LINE_RE, PID_ONLY_LINE_RE } from '../holder-line.js';

/**
 * A lock file (`ledger.json.lock`, `locks/NAME.lock`) holding its owner's identity: one line
 * `PID STARTTIME BOOTID`, where STARTTIME is field 22 of /proc/PID/stat (clock ticks since boot)
 * and BOOTID is /proc/sys/kernel/random/boot_id.
 *
 * A lock must not outlive its holder: a kill -9 or a reboot leaves the file behind. Holder alive?
 * A pid alone cannot say (a stale lock naming a live unrelated process, after pid reuse, blocked
 * every ledger write forever); pid + start time + boot id can: the lock is stale when the boot id
 * differs (written before a reboot), the pid is gone or a zombie, or the process now at that pid
 * started at another time. Such a lock is taken over.
 * Why not an abstract-namespace unix socket (released by the kernel when its holder dies): that
 * namespace has no permissions, so any local user could bind the name first and block root's
 * ledger writes; it is also per network namespace and invisible to `ls`. flock(2) is not in
 * Node without a native addon.
 *
 * Taking: the identity is written to a private file `PATH.PID` (created exclusively, never
 * through a symlink) and hard-linked to PATH: the lock appears complete or not at all. Only a
 * power cut can leave it empty or torn (the text is not fsynced: that would cost a disk flush
 * per lock), so a lock file without a lock line that was last changed before this boot is stale.
 * Anything else at PATH that is not a regular file with a lock line (a directory, a symlink,
 * garbage) is refused at once with the file and the fix, never waited on. A pid-only line (older
 * xenherd) is stale when that pid is gone; else it is waited on like a live holder, and the
 * failure names the pid and the fix: its holder cannot be verified. Release removes PATH only
 * while it is still this lock's file.
 */
export interface FileLock {
  release(): void;
}

/** this boot's id, or '?' where the kernel does not say (then boots are not compared) */
const bootIdNow = ((): (() => string) => {
  let id: string | null = null;
  const read = (): string => {
    try {
      const b = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
      return /^[0-9a-f-]{36}$/.test(b) ? b : '?';
    } catch {
      return '?';
    }
  };
  return () => (id ??= read());
})();

/** when this boot began (btime in /proc/stat), ms since the epoch; 0 when unknown */
const bootTimeMs = ((): (() => number) => {
  let t: number | null = null;
  const read = (): number => {
    try {
      return Number(/^btime ([0-9]+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1] ?? 0) * 1000;
    } catch {
      return 0;
    }
  };
  return () => (t ??= read());
})();

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** start time (clock ticks since boot) of a live process, 'zombie', or null when there is none */
function procStart(pid: number): string | 'zombie' | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  if (fields[0] === 'Z' || fields[0] === 'X') return 'zombie';
  return fields[19] ?? null;
}

/** a process's command line for a message, printable characters only */
function commandOf(pid: number): string {
  try {
    const c = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim().replace(/[^\x20-\x7e]/g, '?');
    return c.length > 100 ? `${c.slice(0, 100)}...` : c || '?';
  } catch {
    return '?';
  }
}

/** this process as `PID STARTTIME BOOTID`: what a lock holds, and a ledger's record of a running migration */
export const processIdentity = (): string => `${process.pid} ${procStart(process.pid) ?? '?'} ${bootIdNow()}`;
const identity = (): string => `${processIdentity()}\n`;

/**
 * Is the process a `PID STARTTIME BOOTID` line names still running? 'gone': another boot wrote it,
 * or the pid is gone, a zombie or now another process; 'unverifiable': the pid runs but the line
 * has no start time to compare (it cannot tell a reused pid).
 */
export function holderState(pid: number, start: string | undefined, boot: string | undefined): 'alive' | 'gone' | 'unverifiable' {
  if (boot !== undefined && boot !== '?' && bootIdNow() !== '?' && boot !== bootIdNow()) return 'gone';
  const now = procStart(pid);
  // no /proc entry: gone, unless the kernel still knows the pid (then /proc is unreadable: trust the pid)
  if (now === null) return alive(pid) ? 'alive' : 'gone';
  if (now === 'zombie') return 'gone';
  if (start === undefined || start === '?') return 'unverifiable';
  return start === now ? 'alive' : 'gone';
}

/** holderState of a whole line as processIdentity() writes it; a line that is not one is 'unverifiable' */
export function holderLineState(line: string): 'alive' | 'gone' | 'unverifiable' {
  const m = HOLDER_LINE_RE.exec(line);
  return m ? holderState(Number(m[1]), m[2], m[3]) : 'unverifiable';
}

/** which file a lock was: inode and content (an inode number alone may be reused by a new file) */
interface FileId {
  readonly ino: number;
  readonly dev: number;
  readonly text: string;
}

function removeIfStill(path: string, was: FileId): void {
  const now = readRegularSync(path, { maxBytes: 4096 });
  if (!now.ok || now.value.ino !== was.ino || now.value.dev !== was.dev || now.value.text !== was.text) return;
  try {
    unlinkSync(path);
  } catch {
    /* gone meanwhile */
  }
}

type Inspection = { kind: 'gone' } | { kind: 'stale'; file: FileId } | { kind: 'held'; message: string } | { kind: 'refused'; error: XhError };

function inspect(path: string, what: string): Inspection {
  const r = readRegularSync(path, { maxBytes: 4096 });
  if (!r.ok) {
    // gone, or replaced between our stat and our open (another taker released it and a third
    // took it): both mean the lock changed hands under us, and the next try sees the new one
    if (r.error.errno === 'ENOENT' || r.error.errno === 'EAGAIN') return { kind: 'gone' };
    const fix = r.error.errno === 'EISDIR' ? `rmdir ${path}` : `rm ${path}`;
    return { kind: 'refused', error: { code: 'XH_ERR_FILE', message: `${r.error.message}; it is not a lock xenherd wrote, and ${what} cannot be locked while it is there: if no xenherd command is running, remove it: ${fix}` } };
  }
  const { text, ino, dev, mtimeMs } = r.value;
  const stale = { kind: 'stale', file: { ino, dev, text } } as const;
  const line = text.endsWith('\n') ? text.slice(0, -1) : text;
  const m = HOLDER_LINE_RE.exec(line) ?? PID_ONLY_LINE_RE.exec(line);
  if (!m) {
    // torn by a power cut (see above); the boot id decides for complete lines (clock steps after
    // boot make an mtime a poor witness for a lock that may still be held)
    if (mtimeMs < bootTimeMs()) return stale;
    return { kind: 'refused', error: { code: 'XH_ERR_LOCKED', message: `${path} does not hold a lock line xenherd wrote (${JSON.stringify(text.slice(0, 40))}), so ${what} cannot be locked: if no xenherd command is running, remove it: rm ${path}` } };
  }
  const pid = Number(m[1]);
  const state = holderState(pid, m[2], m[3]);
  if (state === 'gone') return stale;
  if (state === 'unverifiable') {
    return { kind: 'held', message: `${what} is locked by ${path}, which names process ${pid} (${commandOf(pid)}), running, but not its start time (an older xenherd wrote it), so xenherd cannot tell whether that process still holds it: if no xenherd command is running, remove the lock: rm ${path}` };
  }
  const since = new Date(mtimeMs).toISOString();
  return { kind: 'held', message: `${what} is locked by process ${pid} (${commandOf(pid)}) since ${since} (${path}): wait for it to finish; if process ${pid} is not a xenherd command, remove the lock: rm ${path}` };
}

/** the private file with our identity, created exclusively; something already there is left from a killed process with our pid, or planted: its name is removed */
function writeMine(mine: string): FileId {
  let fd = -1;
  for (let attempt = 0; fd < 0; attempt++) {
    try {
      fd = openSync(mine, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 2) throw e;
      unlinkSync(mine);
    }
  }
  try {
    const text = identity();
    writeSync(fd, text);
    const st = fstatSync(fd);
    return { ino: st.ino, dev: st.dev, text };
  } finally {
    closeSync(fd);
  }
}

/**
 * What to do when the lock's files cannot be made, by errno: "remove what is in the way" sent
 * operators with a full or read-only filesystem looking for a file that is not there.
 */
export function lockFileFix(errno: string | undefined, path: string): string {
  const dir = dirname(path);
  if (errno === 'ENOSPC' || errno === 'EDQUOT') return `free space on the filesystem holding ${dir} (df ${dir})`;
  if (errno === 'EROFS') return `the filesystem holding ${dir} is read-only: remount it read-write`;
  if (errno === 'EACCES' || errno === 'EPERM') return `${dir} must be writable by this user (run as root; check its owner, mode and attributes: ls -ld ${dir}; lsattr -d ${dir})`;
  if (errno === 'EMFILE' || errno === 'ENFILE' || errno === 'ENOMEM') return 'the system is out of resources: try again';
  return `remove what is in the way: ls -la ${path}*`;
}

const cannot = (path: string, doing: string, e: unknown): Attempt => ({
  kind: 'refused',
  error: { code: 'XH_ERR_FILE', message: `${path}: ${doing} (${(e as Error).message}): ${lockFileFix((e as NodeJS.ErrnoException).code, path)}` },
});

type Attempt = { kind: 'taken'; file: FileId } | { kind: 'retry' } | { kind: 'held'; message: string } | { kind: 'refused'; error: XhError };

function tryOnce(path: string, what: string): Attempt {
  const mine = `${path}.${process.pid}`;
  const dropMine = (): void => {
    try {
      unlinkSync(mine);
    } catch {
      /* not there */
    }
  };
  let id: FileId;
  try {
    id = writeMine(mine);
  } catch (e) {
    dropMine();
    return cannot(mine, "cannot write the lock's private file", e);
  }
  try {
    linkSync(mine, path);
    return { kind: 'taken', file: id };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') return cannot(path, 'cannot take the lock', e);
  } finally {
    dropMine();
  }
  const seen = inspect(path, what);
  if (seen.kind === 'gone') return { kind: 'retry' };
  if (seen.kind !== 'stale') return seen;
  // remove the stale lock only if PATH is still that file: another taker may have replaced it since
  removeIfStill(path, seen.file);
  return { kind: 'retry' };
}

export async function takeLock(path: string, what: string, waitMs = 0, clock: Clock = realClock): Promise<Result<FileLock, XhError>> {
  const dir = ensurePrivateDir(dirname(path), { create: true, repair: false });
  if (!dir.ok) return err({ code: 'XH_ERR_FILE', message: `${dir.error.message} (the directory of ${path})` });
  const deadline = clock.now() + waitMs;
  for (let spins = 0; ; ) {
    const r = tryOnce(path, what);
    if (r.kind === 'taken') {
      return ok({ release: () => removeIfStill(path, r.file) });
    }
    if (r.kind === 'refused') return err(r.error);
    if (r.kind === 'retry' && ++spins < 20) continue;
    if (clock.now() >= deadline) return err({ code: 'XH_ERR_LOCKED', message: r.kind === 'held' ? r.message : `${what}: ${path} keeps changing: another process is taking and releasing it; try again` });
    spins = 0;
    await clock.sleep(20);
  }
}
