import { statfs } from 'node:fs';
import { open, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { isNoRoomErrno, TEST_WRITE, type LinkStateDisk, type StateDirRole, type StateWriteFailure } from '../../shared/protocol/state-disk.js';
import { readStandIn, standInReadings } from './state-disk-stand-in.js';

/** One of the agent's own dirs: its role, the path its config names, and where it is on this machine (XENHERD_HOST_ROOT). */
export interface StateDir {
  readonly role: StateDirRole;
  readonly dir: string;
  readonly real: string;
}

/** The test write's file: a name no record of the agent's uses, removed at once. */
export const WRITE_TEST_FILE = '.xenherd-write-test';

const errnoOf = (e: unknown): unknown => (e instanceof Error && 'code' in e ? e.code : undefined);

/**
 * statfs of one dir: df's Avail and Size. Node's fs.statfs (18.15 and later: Debian 12 ships 18.19)
 * answers bavail in blocks of bsize. Null when it cannot be read (the dir is gone): no number
 * is better than a made-up one.
 */
function freeSpace(real: string): Promise<{ freeBytes: number | null; totalBytes: number | null }> {
  return new Promise((resolve) => {
    statfs(real, (e, st) => {
      if (e !== null) resolve({ freeBytes: null, totalBytes: null });
      else resolve({ freeBytes: Math.min(Number.MAX_SAFE_INTEGER, st.bavail * st.bsize), totalBytes: Math.min(Number.MAX_SAFE_INTEGER, st.blocks * st.bsize) });
    });
  });
}

/**
 * A one-byte file written, synced and removed: statfs says nothing of a read-only mount, and root
 * writes into the blocks a filesystem keeps back from others, so only a write tells whether the
 * agent's own next record will land. Null when it did, or failed for a reason not the filesystem's
 * (a dir removed: the records' own reads say so). Made new each time (O_EXCL, after removing one
 * a crash left), so a symlink put in its place is never followed.
 */
async function testWrite(real: string, at: string): Promise<StateWriteFailure | null> {
  const path = join(real, WRITE_TEST_FILE);
  try {
    await removeLeftover(path);
    // asynchronous: an fsync on a failing disk can take seconds, and the agent's loop answers its controller meanwhile
    const f = await open(path, 'wx', 0o600);
    try {
      await f.write('\n');
      await f.sync();
    } finally {
      await f.close();
    }
    await unlink(path);
    return null;
  } catch (e) {
    // nothing was made, or a read-only filesystem keeps it: the next test write takes it over
    await unlink(path).catch(() => undefined);
    const code = errnoOf(e);
    return isNoRoomErrno(code) ? { code, at, what: TEST_WRITE } : null;
  }
}

async function removeLeftover(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (e) {
    if (errnoOf(e) !== 'ENOENT') throw e;
  }
}

/**
 * Each of DIRS as the agent reports it, read at AT (an ISO time on the agent's clock). STAND_IN:
 * the file a simulated Dom0's filesystem is answered in while it exists (state-disk-stand-in.ts).
 */
export async function readStateDirs(dirs: readonly StateDir[], at: string, standIn: string | null = null): Promise<LinkStateDisk[]> {
  const served = standIn === null ? null : await readStandIn(standIn);
  if (served !== null) return standInReadings(dirs, served, at);
  const out: LinkStateDisk[] = [];
  for (const d of dirs) out.push({ role: d.role, dir: d.dir, ...(await freeSpace(d.real)), readAt: at, failure: await testWrite(d.real, at) });
  return out;
}
