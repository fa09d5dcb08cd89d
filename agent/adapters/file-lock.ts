import { closeSync, linkSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { XhError } from '../../shared/errors.js';
import { err, ok, type Result } from '../../shared/result.js';

/**
 * A lock file created with O_EXCL holding the owner's pid. A lock whose owner is dead (agent
 * killed) is taken over; a live owner means XH_ERR_LOCKED after `waitMs`.
 */
export interface FileLock {
  release(): void;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

function tryOnce(path: string): 'taken' | 'busy' | Error {
  // the pid is written to a private file first and hard-linked into place: the lock file is
  // never seen empty, even when its owner is killed while taking it
  const mine = `${path}.${process.pid}`;
  try {
    const fd = openSync(mine, 'w', 0o600);
    writeSync(fd, `${process.pid}\n`);
    closeSync(fd);
    linkSync(mine, path);
    return 'taken';
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') return e as Error;
  } finally {
    rmSync(mine, { force: true });
  }
  let pid = NaN;
  try {
    pid = Number(readFileSync(path, 'utf8').trim());
  } catch {
    return 'busy';
  }
  // an empty file: the owner died between open and write, or is writing now: look again later
  const emptyAndOld = (): boolean => {
    try {
      return Date.now() - statSync(path).mtimeMs > 2_000;
    } catch {
      return false;
    }
  };
  if ((Number.isInteger(pid) && pid > 0 && pid !== process.pid && !alive(pid)) || (!(pid > 0) && emptyAndOld())) {
    rmSync(path, { force: true });
    return tryOnce(path);
  }
  return 'busy';
}

export async function takeLock(path: string, what: string, waitMs = 0): Promise<Result<FileLock, XhError>> {
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  } catch (e) {
    return err({ code: 'XH_ERR_FILE', message: `${dirname(path)}: ${String(e)}` });
  }
  const deadline = Date.now() + waitMs;
  for (;;) {
    const r = tryOnce(path);
    if (r === 'taken') return ok({ release: () => rmSync(path, { force: true }) });
    if (r instanceof Error) return err({ code: 'XH_ERR_FILE', message: `${path}: cannot take the lock: ${r.message}` });
    if (Date.now() >= deadline) {
      let owner = '?';
      try {
        owner = readFileSync(path, 'utf8').trim();
      } catch {
        /* gone meanwhile */
      }
      return err({ code: 'XH_ERR_LOCKED', message: `${what} is locked by process ${owner} (${path})` });
    }
    await new Promise((res) => setTimeout(res, 20));
  }
}
