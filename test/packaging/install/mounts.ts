import { spawnSync } from 'node:child_process';
import { readFileSync, readlinkSync, readdirSync } from 'node:fs';

/**
 * Mounts and processes under a test directory, and its removal. A chroot tree may still have
 * /proc (or a bind mount) mounted when something was interrupted; removing the tree through such a
 * mount could reach the host's own files, so every removal unmounts first and then deletes with
 * `rm --one-file-system`.
 */

/** Mount points at or below DIR, deepest first (the order to unmount them in). */
export function mountsUnder(dir: string): string[] {
  const unescape = (s: string): string => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => unescape(l.split(' ')[4] ?? ''))
    .filter((m) => m === dir || m.startsWith(`${dir}/`))
    .sort((a, b) => b.length - a.length);
}

/** Unmounts everything at or below DIR; a busy mount is detached (lazy) so it goes once unused. */
export function unmountAll(dir: string): string[] {
  const problems: string[] = [];
  for (const m of mountsUnder(dir)) {
    if (spawnSync('umount', [m]).status === 0) continue;
    const lazy = spawnSync('umount', ['-l', m], { encoding: 'utf8' });
    if (lazy.status !== 0) problems.push(`${m}: ${lazy.stderr.trim()}`);
  }
  return problems;
}

/** Processes whose root directory is DIR or below it: whatever still runs inside a chroot. */
export function processesRootedIn(dir: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const root = readlinkSync(`/proc/${name}/root`);
      if (root === dir || root.startsWith(`${dir}/`)) pids.push(Number(name));
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return pids;
}

/** SIGKILLs every process inside DIR, unmounts everything below it, then deletes it. */
export function removeTree(dir: string): string[] {
  for (const pid of processesRootedIn(dir)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  const problems = unmountAll(dir);
  if (mountsUnder(dir).length > 0) return [...problems, `${dir}: still mounted, not removed`];
  const rm = spawnSync('rm', ['-rf', '--one-file-system', dir], { encoding: 'utf8' });
  if (rm.status !== 0) problems.push(`rm ${dir}: ${rm.stderr.trim()}`);
  return problems;
}
