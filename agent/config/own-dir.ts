import { posix } from 'node:path';

/**
 * Directories the system and other daemons share. xenherd makes the directories of its state,
 * control socket and migration key private (0700, shared/fs/private-dir.ts): pointed at one of
 * these by a slip (`controlSocket: "/run/agent.sock"`, `stateDir: "/var/lib"`), it would take
 * /run or /var/lib away from every other daemon. So such a path is refused when the config is read.
 */
const SHARED_DIRS: ReadonlySet<string> = new Set([
  '/', '/bin', '/boot', '/dev', '/dev/shm', '/etc', '/etc/xen', '/home', '/lib', '/lib64', '/media', '/mnt', '/opt', '/proc',
  '/run', '/run/lock', '/run/user', '/sbin', '/srv', '/sys', '/tmp', '/usr', '/usr/local', '/var', '/var/cache', '/var/lib',
  '/var/local', '/var/lock', '/var/log', '/var/opt', '/var/run', '/var/spool', '/var/tmp',
]);

/** Why DIR cannot be a directory of xenherd's own (WHAT: the key and how it names the dir), or null. */
export function sharedDirProblem(dir: string, what: string, example: string): string | null {
  const normal = posix.normalize(dir).replace(/(.)\/+$/, '$1');
  if (!SHARED_DIRS.has(normal)) return null;
  return `${what} ${normal}, a directory the system shares with other programs: xenherd makes its directories private (mode 0700), which would lock them out; use a directory of its own, e.g. ${example}`;
}
