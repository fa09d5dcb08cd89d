import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { removeTree } from './mounts.js';

/**
 * The Debian 12 base tree (build-base.sh), built once per machine and cached under
 * CACHE_ROOT/<hash of build-base.sh>/. A directory counts only with its `complete` marker, written
 * last; a build runs in `.tmp-<hash>-<pid>` beside it and is renamed into place, so an
 * interrupted build never looks complete and a dead builder's leftovers are removed by the next
 * run. Runs never write into the cache: they mount an overlay on top of it.
 */
export const CACHE_ROOT = process.env['XENHERD_PKGTEST_CACHE'] ?? '/var/cache/xenherd-pkgtest';
const SCRIPT = join(process.cwd(), 'test/packaging/install/build-base.sh');

export interface BaseTree {
  readonly rootfs: string;
  readonly built: boolean;
  readonly nodejs: string;
}

const hash = (): string => createHash('sha256').update(readFileSync(SCRIPT)).digest('hex').slice(0, 16);
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

function removeDeadBuilds(): void {
  for (const name of readdirSync(CACHE_ROOT)) {
    const m = /^\.tmp-[0-9a-f]+-(\d+)$/.exec(name);
    if (m && !alive(Number(m[1]))) removeTree(join(CACHE_ROOT, name));
  }
}

/** Runs build-base.sh in its own process group; `abort` ends the whole group (debootstrap included). */
function runBuild(out: string, log: (line: string) => void, abort: { current: (() => void) | null }, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [SCRIPT, out], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const pid = child.pid as number;
    const kill = (): void => {
      try {
        process.kill(-pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
    };
    abort.current = kill;
    let tail = '';
    const onData = (b: Buffer): void => {
      tail = (tail + b.toString()).slice(-4000);
      for (const line of b.toString().split('\n')) if (line.startsWith('[base ')) log(line);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = setTimeout(kill, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      abort.current = null;
      if (code === 0) resolve();
      else reject(new Error(`build-base.sh failed (${signal ?? code}):\n${tail}`));
    });
  });
}

/** Trees of older build-base.sh versions, unless a run still has one as its overlay's lower layer. */
function removeOldTrees(keep: string): void {
  const mountinfo = readFileSync('/proc/self/mountinfo', 'utf8');
  for (const name of readdirSync(CACHE_ROOT)) {
    if (/^[0-9a-f]{16}$/.test(name) && name !== keep && !mountinfo.includes(join(CACHE_ROOT, name))) removeTree(join(CACHE_ROOT, name));
  }
}

export async function ensureBaseTree(log: (line: string) => void, abort: { current: (() => void) | null }): Promise<BaseTree> {
  const h = hash();
  const dir = join(CACHE_ROOT, h);
  const read = (built: boolean): BaseTree => ({ rootfs: join(dir, 'rootfs'), built, nodejs: (JSON.parse(readFileSync(join(dir, 'versions.json'), 'utf8')) as { nodejs: string }).nodejs });
  if (existsSync(join(dir, 'complete'))) return read(false);
  mkdirSync(CACHE_ROOT, { recursive: true });
  removeDeadBuilds();
  if (existsSync(dir)) removeTree(dir); // an incomplete leftover
  const tmp = join(CACHE_ROOT, `.tmp-${h}-${process.pid}`);
  const t0 = Date.now();
  log(`base tree: building ${dir}`);
  try {
    await runBuild(tmp, log, abort, 15 * 60_000);
    writeFileSync(join(tmp, 'complete'), `built in ${Math.round((Date.now() - t0) / 1000)} s\n`);
    renameSync(tmp, dir);
    removeOldTrees(h);
  } catch (e) {
    removeTree(tmp);
    // another run finished the same build first: use theirs
    if (!existsSync(join(dir, 'complete'))) throw e;
  }
  return read(true);
}
