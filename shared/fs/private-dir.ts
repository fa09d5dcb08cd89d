import { chmodSync, existsSync, lstatSync, realpathSync, statSync, type Stats } from 'node:fs';
import { makeDirs } from './make-dirs.js';
import { modeText } from '../text/mode-words.js';
import { dirname, resolve } from 'node:path';
import type { XhError } from '../errors.js';
import { err, ok, type Result } from '../result.js';

/**
 * Directories xenherd keeps its state in (/var/lib/xenherd and its `starting/`, `locks/`; the
 * runtime dir /run/xenherd) must be its own: a real directory (not a symlink), owned by the user
 * the agent runs as (root), that no other user can write to. Anyone who can write there can
 * plant symlinks, FIFOs and records that make root overwrite or delete files elsewhere.
 *
 * Policy, and why:
 * - not a directory, a symlink, another owner: refused. Nothing in it can be trusted, and xenherd
 *   cannot tell what was planted; the operator fixes it (the message says how).
 * - writable by group or others: refused, for the same reason (changing the mode now would not
 *   undo what may already have been planted).
 * - readable (not writable) by group or others, e.g. 0755 from a plain `mkdir`: nothing can have
 *   been planted, only the state was visible: repaired to 0700 when `repair` is on, and returned
 *   in `repairs` for the caller to log.
 * - missing: created 0700 when `create` is on (the default), and reported.
 * `openStateDir` also checks the directories above it: a parent other users can write to (and
 * that lacks the sticky bit, as /tmp has) lets them swap the whole state dir.
 */
export type DirProblem = 'missing' | 'not-a-directory' | 'symlink' | 'wrong-owner' | 'writable-by-others' | 'unsafe-parent' | 'io';

export interface DirFailure extends XhError {
  readonly code: 'XH_ERR_FILE';
  readonly path: string;
  readonly problem: DirProblem;
}

export type DirRepair = { readonly kind: 'created'; readonly path: string } | { readonly kind: 'mode-tightened'; readonly path: string; readonly from: number; readonly to: number };

export interface DirReport {
  readonly path: string;
  /** what was changed, for the caller to log (empty: the dir was fine as it was) */
  readonly repairs: readonly DirRepair[];
}

export interface PrivateDirOptions {
  /** create it (mode 0700) when missing; default true */
  readonly create?: boolean;
  /** tighten a dir only readable by others to 0700; default true (false: accept it as it is) */
  readonly repair?: boolean;
  /** the owner required; default the effective uid of this process */
  readonly uid?: number;
}

/** A file's permission bits as ls and chmod write them (0644, 01777). */
export const octal = modeText;
const euid = (): number => process.geteuid?.() ?? 0;
const owner = (uid: number): string => (uid === 0 ? 'root' : `uid ${uid}`);

const fail = (path: string, problem: DirProblem, why: string): Result<never, DirFailure> => err({ code: 'XH_ERR_FILE', path, problem, message: `${path}: ${why}` });

function kind(st: Stats): string {
  if (st.isFile()) return 'a regular file';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  return 'not a directory';
}

export function ensurePrivateDir(path: string, opts: PrivateDirOptions = {}): Result<DirReport, DirFailure> {
  const uid = opts.uid ?? euid();
  const repairs: DirRepair[] = [];
  let st: Stats;
  try {
    st = lstatSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') return fail(path, 'io', `cannot be examined: ${(e as Error).message}`);
    if (opts.create === false) return fail(path, 'missing', 'does not exist');
    try {
      makeDirs(path, 0o700);
      st = lstatSync(path);
    } catch (c) {
      return fail(path, 'io', `cannot be created: ${(c as Error).message}`);
    }
    repairs.push({ kind: 'created', path });
  }
  if (st.isSymbolicLink()) {
    return fail(path, 'symlink', 'is a symbolic link: xenherd keeps its state only in a real directory of its own; point the config (stateDir, controlSocket) at the real directory, or replace the link with a directory');
  }
  if (!st.isDirectory()) return fail(path, 'not-a-directory', `is ${kind(st)}, not a directory: move it away (xenherd creates the directory itself)`);
  if (st.uid !== uid) {
    return fail(path, 'wrong-owner', `is owned by ${owner(st.uid)}, not ${owner(uid)} (who runs xenherd), so its contents cannot be trusted: check them, then chown ${uid === 0 ? 'root:root' : `${uid}`} ${path}`);
  }
  const mode = st.mode & 0o7777;
  if ((mode & 0o022) !== 0) {
    return fail(path, 'writable-by-others', `has mode ${octal(mode)}: other users can write to it and could have planted files there: check its contents, then chmod 700 ${path}`);
  }
  if ((mode & 0o077) !== 0 && opts.repair !== false) {
    try {
      chmodSync(path, 0o700);
    } catch (e) {
      return fail(path, 'io', `has mode ${octal(mode)} and cannot be changed to 0700: ${(e as Error).message}`);
    }
    repairs.push({ kind: 'mode-tightened', path, from: mode, to: 0o700 });
  }
  return ok({ path, repairs });
}

/** The first existing directory above `path` that others could use to replace it, or null. */
function unsafeAncestor(path: string, uid: number): { dir: string; why: string } | null {
  let p = dirname(resolve(path));
  while (!existsSync(p) && p !== dirname(p)) p = dirname(p);
  let real: string;
  try {
    real = realpathSync(p);
  } catch (e) {
    return { dir: p, why: `cannot be examined: ${(e as Error).message}` };
  }
  for (let a = real; ; a = dirname(a)) {
    let st: Stats;
    try {
      st = statSync(a);
    } catch (e) {
      return { dir: a, why: `cannot be examined: ${(e as Error).message}` };
    }
    const mode = st.mode & 0o7777;
    if (st.uid !== 0 && st.uid !== uid) return { dir: a, why: `is owned by ${owner(st.uid)}, who could replace what is in it: chown root ${a}, or set stateDir elsewhere` };
    // the sticky bit (as on /tmp) keeps others from renaming or removing entries they do not own
    if ((mode & 0o022) !== 0 && (mode & 0o1000) === 0) return { dir: a, why: `has mode ${octal(mode)}: other users could replace what is in it: chmod go-w ${a}, or set stateDir elsewhere` };
    if (a === dirname(a)) return null;
  }
}

/**
 * The check the daemon and every CLI command run when they open the state dir: its parents,
 * then the dir itself (created or repaired as `ensurePrivateDir` says). Log every repair.
 */
export function openStateDir(path: string, opts: PrivateDirOptions = {}): Result<DirReport, DirFailure> {
  const bad = unsafeAncestor(path, opts.uid ?? euid());
  if (bad) return err({ code: 'XH_ERR_FILE', path, problem: 'unsafe-parent', message: `${path}: its parent ${bad.dir} ${bad.why}` });
  return ensurePrivateDir(path, opts);
}

/** One line for the log, per repair. */
export function describeRepair(r: DirRepair): string {
  return r.kind === 'created'
    ? `${r.path}: created (mode 0700)`
    : `${r.path}: had mode ${octal(r.from)}, so other users could read xenherd's state: changed to ${octal(r.to)}`;
}
