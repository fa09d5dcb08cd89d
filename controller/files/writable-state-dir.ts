import { realpathSync } from 'node:fs';

/**
 * The directory the controller writes its own state to: systemd's STATE_DIRECTORY when the unit
 * names one (the only place its sandbox may write; the first of a colon-separated list), else the
 * config's stateDir. Under DynamicUser= that path is a symbolic link into /var/lib/private, which
 * the private-dir checks refuse as any link: the link is resolved, as systemd made it, not an
 * intruder. A dir not there yet is returned as given (it is created on the first write).
 */
export function writableStateDir(fromSystemd: string | undefined, stateDir: string): string {
  const dir = fromSystemd?.split(':')[0] || stateDir;
  try {
    return fromSystemd !== undefined && fromSystemd !== '' ? realpathSync(dir) : dir;
  } catch {
    return dir;
  }
}
