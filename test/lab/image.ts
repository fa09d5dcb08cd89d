import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { removeDir, trackDir, trackGroup, untrackGroup } from './cleanup.js';
import { log } from './log.js';

/**
 * The lab's Dom0 image set, built once by build-image.sh and cached outside the repo under
 * CACHE_ROOT/<hash of the build inputs>/. A directory is only used when it holds the `complete`
 * marker (written last); builds happen in a temp dir next to it and are renamed into place, so an
 * interrupted build never looks complete. The cache is read-only for runs: they boot qcow2 overlays.
 */
export const CACHE_ROOT = process.env.XENHERD_LAB_CACHE ?? '/var/cache/xenherd-lab';

/** the guarded guest's `memory =` in build-image.sh's tiny.cfg, as the agent must read it */
export const TINY_MEM_MIB = 96;
const HERE = dirname(fileURLToPath(import.meta.url));

export interface Versions {
  debian: string;
  kernel: string;
  kernelPackage: string;
  xenHypervisorPackage: string;
  xenUtilsPackage: string;
  drbdUtils: string;
  nodejs: string;
  mirror: string;
}

export interface Image {
  dir: string;
  xen: string;
  vmlinuz: string;
  initrd: string;
  disk: { a: string; b: string };
  key: string;
  versions: Versions;
}

/** Where build-image.sh is, whether run from source or bundled by run-ts.mjs. */
export function labSourceDir(): string {
  if (existsSync(join(HERE, 'build-image.sh'))) return HERE;
  const fromCwd = join(process.cwd(), 'test/lab');
  if (existsSync(join(fromCwd, 'build-image.sh'))) return fromCwd;
  throw new Error('cannot find test/lab/build-image.sh (run from the repository root)');
}

export function buildHash(): string {
  const h = createHash('sha256');
  h.update(readFileSync(join(labSourceDir(), 'build-image.sh')));
  return h.digest('hex').slice(0, 16);
}

function imageAt(dir: string): Image {
  return {
    dir,
    xen: join(dir, 'xen.elf'),
    vmlinuz: join(dir, 'vmlinuz'),
    initrd: join(dir, 'initrd.img'),
    disk: { a: join(dir, 'disk-a.img'), b: join(dir, 'disk-b.img') },
    key: join(dir, 'key'),
    versions: JSON.parse(readFileSync(join(dir, 'versions.json'), 'utf8')) as Versions,
  };
}

/** Reuse the cached image for the current build inputs, or build it (≈ 3–6 min cold). */
export async function ensureImage(opts: { timeoutMs?: number } = {}): Promise<Image & { built: boolean }> {
  const hash = buildHash();
  const dir = join(CACHE_ROOT, hash);
  if (existsSync(join(dir, 'complete'))) {
    log(`image: reusing ${dir}`);
    return { ...imageAt(dir), built: false };
  }
  mkdirSync(CACHE_ROOT, { recursive: true });
  removeStaleBuilds();
  if (existsSync(dir)) removeDir(dir); // incomplete leftover
  const tmp = join(CACHE_ROOT, `.tmp-${hash}-${process.pid}`);
  trackDir(tmp);
  const t0 = Date.now();
  log(`image: building ${dir} (log: ${tmp}/build.log)`);
  await runBuild(tmp, opts.timeoutMs ?? 20 * 60_000);
  writeFileSync(join(tmp, 'complete'), `${new Date().toISOString()} built in ${Math.round((Date.now() - t0) / 1000)} s\n`);
  try {
    renameSync(tmp, dir);
  } catch (e) {
    // another run finished the same build first: use theirs
    if (!existsSync(join(dir, 'complete'))) throw e;
    removeDir(tmp);
  }
  log(`image: built in ${Math.round((Date.now() - t0) / 1000)} s`);
  return { ...imageAt(dir), built: true };
}

/** Remove `.tmp-<hash>-<pid>` build dirs whose builder process is gone (killed with SIGKILL, power loss). */
function removeStaleBuilds(): void {
  for (const name of readdirSync(CACHE_ROOT)) {
    const m = /^\.tmp-[0-9a-f]+-(\d+)$/.exec(name);
    if (!m) continue;
    let alive = true;
    try {
      process.kill(Number(m[1]), 0);
    } catch {
      alive = false;
    }
    if (!alive) removeDir(join(CACHE_ROOT, name));
  }
}

function runBuild(out: string, timeoutMs: number): Promise<void> {
  mkdirSync(out, { recursive: true });
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [join(labSourceDir(), 'build-image.sh'), out], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const pid = child.pid!;
    trackGroup(pid);
    let tail = '';
    const onData = (b: Buffer): void => {
      const s = b.toString();
      tail = (tail + s).slice(-4000);
      for (const line of s.split('\n')) if (line.startsWith('[build ')) log(`image: ${line}`);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = setTimeout(() => {
      try {
        process.kill(-pid, 'SIGTERM');
      } catch {
        /* gone */
      }
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      untrackGroup(pid);
      writeFileSync(join(out, 'build.log'), tail);
      if (code === 0) resolve();
      else reject(new Error(`build-image.sh failed (${signal ?? code}); last output:\n${tail}`));
    });
  });
}
