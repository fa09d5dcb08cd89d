// V8's compiled code for xenherdctl, kept per user between runs. Compiling the whole program (all of
// zod with it) is a good part of every start and the same work each time; a cache made after one
// run holds the functions that run compiled, and V8 takes it in place of compiling. It is only
// ever a speed-up: anything wrong with it (absent, unreadable, not ours, damaged, made by another
// Node) means compiling as before, and the next run writing a good one.
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, lstatSync, openSync, readdirSync, readSync, renameSync, unlinkSync, writeFileSync, constants as fsc } from 'node:fs';
import { join } from 'node:path';
import { makeDirs } from '../../../shared/fs/make-dirs.js';
import { Script } from 'node:vm';

export interface CompiledProgram {
  readonly script: Script;
  /** taken: V8 ran with the cache; rejected: V8 refused it (another V8, other flags); none: there was none */
  readonly cache: 'taken' | 'rejected' | 'none';
}

/** SOURCE compiled, through CACHED (a code cache read with readCache) when V8 accepts it. */
export function compileProgram(source: string, filename: string, cached: Buffer | null): CompiledProgram {
  if (cached === null) return { script: new Script(source, { filename }), cache: 'none' };
  const script = new Script(source, { filename, cachedData: cached });
  return { script, cache: script.cachedDataRejected === false ? 'taken' : 'rejected' };
}

/** sha256 of the cached data, ahead of it in the file. */
const DIGEST_BYTES = 32;
/** Far more than V8 makes for this program; a bigger file is not one of ours. */
const MAX_CACHE_BYTES = 32 * 1024 * 1024;

export interface CacheIdentity {
  /** the program's source digest: a new build never reads an old build's cache */
  readonly sourceKey: string;
  /** process.version and process.arch: V8 refuses another build's code anyway, but two Nodes on one machine should not take turns overwriting one file */
  readonly node: string;
  readonly arch: string;
  /** the command's first word: a cache holds what one run compiled, so each command keeps its own */
  readonly command: string | undefined;
}

/** $XDG_CACHE_HOME/xenherd (or ~/.cache/xenherd); null when neither is set: no cache then. */
export function cacheDir(env: Readonly<Record<string, string | undefined>>): string | null {
  const xdg = env['XDG_CACHE_HOME'];
  if (xdg !== undefined && xdg.startsWith('/')) return join(xdg, 'xenherd');
  const home = env['HOME'];
  if (home !== undefined && home.startsWith('/')) return join(home, '.cache', 'xenherd');
  return null;
}

const safe = (s: string): string => s.replace(/[^A-Za-z0-9.]/g, '_');

/** What every cache file of this build's program starts with. */
export function cacheFilePrefix(sourceKey: string): string {
  return `xenherdctl-${safe(sourceKey)}-`;
}

export function cacheFileName(id: CacheIdentity): string {
  const command = id.command !== undefined && /^[a-z][a-z0-9-]{0,31}$/.test(id.command) ? id.command : 'other';
  return `${cacheFilePrefix(id.sourceKey)}node${safe(id.node)}-${safe(id.arch)}-${command}.v8cache`;
}

/** The file's bytes as a cache file: its data when the digest ahead of it matches, otherwise null. */
export function cacheDataOf(file: Buffer): Buffer | null {
  if (file.length <= DIGEST_BYTES) return null;
  const data = file.subarray(DIGEST_BYTES);
  return createHash('sha256').update(data).digest().equals(file.subarray(0, DIGEST_BYTES)) ? data : null;
}

export function cacheFileOf(data: Buffer): Buffer {
  return Buffer.concat([createHash('sha256').update(data).digest(), data]);
}

/**
 * The cached data at PATH, or null. Taken only from a regular file this user owns that no one else
 * can write: V8 runs what it holds as this program.
 */
export function readCache(path: string, uid: number): Buffer | null {
  let fd: number;
  try {
    fd = openSync(path, fsc.O_RDONLY | fsc.O_NOFOLLOW);
  } catch {
    return null;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || st.uid !== uid || (st.mode & 0o022) !== 0 || st.size > MAX_CACHE_BYTES) return null;
    const buf = Buffer.allocUnsafe(st.size);
    let got = 0;
    while (got < buf.length) {
      const n = readSync(fd, buf, got, buf.length - got, got);
      if (n === 0) return null;
      got += n;
    }
    return cacheDataOf(buf);
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/** Writes DATA as the cache at PATH: whole or not at all (two runs at once each rename a whole file in). */
export function writeCache(dir: string, path: string, data: Buffer): boolean {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    // not mkdirSync's recursive mode: it never returns for a dir under /proc (XDG_CACHE_HOME=/proc/x)
    makeDirs(dir, 0o700);
    writeFileSync(tmp, cacheFileOf(data), { mode: 0o600, flag: 'wx' });
    renameSync(tmp, path);
    return true;
  } catch {
    try {
      unlinkSync(tmp);
    } catch {
      // nothing was written
    }
    return false;
  }
}

/**
 * Another build's cache is only removed once it has not been written for this long. Two builds in
 * use by one user (an upgrade on one machine of two sharing a home, a packaged and a built one)
 * would otherwise remove each other's at every write and compile at every run; an upgrade's
 * leftovers are older than this by the time the new build writes, or go at a later write.
 */
export const OTHER_BUILD_KEPT_MS = 7 * 24 * 3600 * 1000;

/** Removes the caches other builds left in DIR, last written more than OTHER_BUILD_KEPT_MS before NOW; best effort. */
export function pruneOtherBuilds(dir: string, sourceKey: string, now: number): void {
  const keep = cacheFilePrefix(sourceKey);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return; // the directory went away: nothing to keep tidy
  }
  for (const name of names) {
    if (!name.startsWith('xenherdctl-') || !name.endsWith('.v8cache') || name.startsWith(keep)) continue;
    const path = join(dir, name);
    try {
      if (now - lstatSync(path).mtimeMs > OTHER_BUILD_KEPT_MS) unlinkSync(path);
    } catch {
      // another run pruned it first
    }
  }
}
