import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, rmSync } from 'node:fs';

/**
 * Everything the lab starts or creates on the host is registered here, and undone on every exit
 * path: normal return, thrown error, SIGINT/SIGTERM/SIGHUP, uncaught exception, and the watchdog
 * timeout (see `withWatchdog`). Process groups are killed (QEMU runs in its own group), temp dirs
 * are unmounted-then-removed. `leakCheck` proves nothing is left behind.
 */

const groups = new Set<number>();
const dirs = new Set<string>();
let installed = false;
let cleaning = false;

export function trackGroup(pid: number): void {
  groups.add(pid);
  install();
}
export function untrackGroup(pid: number): void {
  groups.delete(pid);
}
export function trackDir(dir: string): void {
  dirs.add(dir);
  install();
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function killGroup(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch {
    try {
      process.kill(pid, sig);
    } catch {
      /* gone */
    }
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Mount points at or below `dir` (deepest first). */
export function mountsUnder(dir: string): string[] {
  const out: string[] = [];
  for (const line of readFileSync('/proc/self/mounts', 'utf8').split('\n')) {
    const mp = line.split(' ')[1]?.replace(/\\040/g, ' ');
    if (mp && (mp === dir || mp.startsWith(dir + '/'))) out.push(mp);
  }
  return out.sort((a, b) => b.length - a.length);
}

/** Synchronous so it can run from process 'exit'. Idempotent. */
export function cleanupAll(): void {
  if (cleaning) return;
  cleaning = true;
  try {
    for (const pid of groups) killGroup(pid, 'SIGTERM');
    const deadline = Date.now() + 5000;
    while ([...groups].some(alive) && Date.now() < deadline) sleepSync(100);
    for (const pid of groups) if (alive(pid)) killGroup(pid, 'SIGKILL');
    groups.clear();
    for (const dir of dirs) removeDir(dir);
    dirs.clear();
  } finally {
    cleaning = false;
  }
}

/** Unmount anything below dir, then remove it without crossing into another filesystem. */
export function removeDir(dir: string): void {
  for (const mp of mountsUnder(dir)) spawnSync('umount', ['-l', mp], { stdio: 'ignore' });
  if (mountsUnder(dir).length === 0) {
    spawnSync('rm', ['-rf', '--one-file-system', dir], { stdio: 'ignore' });
  }
  try {
    rmSync(dir, { recursive: true, force: true });
  } catch {
    /* best effort; leakCheck reports leftovers */
  }
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', cleanupAll);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => {
      process.stderr.write(`lab: ${sig}: cleaning up\n`);
      cleanupAll();
      process.exit(sig === 'SIGINT' ? 130 : 143);
    });
  }
  process.on('uncaughtException', (e) => {
    process.stderr.write(`lab: uncaught: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    cleanupAll();
    process.exit(1);
  });
  process.on('unhandledRejection', (e) => {
    process.stderr.write(`lab: unhandled rejection: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    cleanupAll();
    process.exit(1);
  });
}

/** Run `fn`; if it takes longer than `ms`, clean up and exit 124. */
export async function withWatchdog<T>(ms: number, what: string, fn: () => Promise<T>): Promise<T> {
  install();
  const t = setTimeout(() => {
    process.stderr.write(`lab: ${what}: timed out after ${Math.round(ms / 1000)} s, cleaning up\n`);
    cleanupAll();
    process.exit(124);
  }, ms);
  try {
    return await fn();
  } finally {
    clearTimeout(t);
  }
}

export interface Leak {
  kind: 'process' | 'mount' | 'loop';
  what: string;
}

/**
 * Anything the lab created that is still there: QEMU (or other) processes whose command line
 * mentions one of `markers` (the lab's temp/cache dirs), mounts below them, loop devices backed by
 * files below them.
 */
export function leakCheck(markers: readonly string[]): Leak[] {
  const leaks: Leak[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    if (Number(pid) === process.pid) continue;
    let cmd = '';
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
    } catch {
      continue;
    }
    if (!cmd) continue;
    if (markers.some((m) => cmd.includes(m))) {
      leaks.push({ kind: 'process', what: `${pid} ${cmd.slice(0, 160)}` });
    }
  }
  for (const m of markers) for (const mp of mountsUnder(m)) leaks.push({ kind: 'mount', what: mp });
  const lo = spawnSync('losetup', ['-l', '-n', '-O', 'NAME,BACK-FILE'], { encoding: 'utf8' });
  for (const line of (lo.stdout ?? '').split('\n')) {
    if (markers.some((m) => line.includes(m))) leaks.push({ kind: 'loop', what: line.trim() });
  }
  return leaks;
}
