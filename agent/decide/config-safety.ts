import { modeText, writeWords } from '../../shared/text/mode-words.js';
import type { ConfigPlace, Ownership } from '../state/config-place.js';

export type { ConfigPlace, Ownership } from '../state/config-place.js';

/**
 * Whether a guarded domU config may be started, judged by who can change it: as sshd's
 * StrictModes judges authorized_keys. A domU config is code run as root on this Dom0 (its
 * `bootloader`, `device_model_override`, a disk's or vif's `script`), so whoever can write it, or
 * add a file to the guarded dir, owns the Dom0 at the next autostart. Pure: the modes and owners
 * are read by the host adapter (agent/host/guarded-configs.ts) and carried in the snapshot
 * (GuardedEntry.place); the autostart decision (autostart-all.ts) and the inventory judge them here.
 */

const owner = (uid: number): string => (uid === 0 ? 'root' : `uid ${uid}`);

/** What is wrong with one path and its fix, or null. STICKY_HELPS: a dir above the config's, whose entries others cannot rename when it is sticky. */
function problem(kind: 'config' | 'dir' | 'above', path: string, st: Ownership | null, ownUid: number, stickyHelps: boolean): { what: string; fix: string } | null {
  const name = kind === 'config' ? 'it' : kind === 'dir' ? `its dir ${path}` : `${path}, a dir above it,`;
  if (st === null) return { what: `${name} cannot be examined`, fix: `check ${path}` };
  if (st.uid !== 0 && st.uid !== ownUid) return { what: `${name} is owned by ${owner(st.uid)}, not root`, fix: `chown root ${path}` };
  const mode = st.mode & 0o7777;
  const writable = writeWords(mode);
  // in the config's own dir a sticky bit does not help: anyone who may write there can add a config
  if (writable !== null && !(stickyHelps && (mode & 0o1000) !== 0)) return { what: `${name} is ${writable} (mode ${modeText(mode)})`, fix: `chmod go-w ${path}` };
  return null;
}

/** Why the config at PLACE must not be started, naming each path, what is wrong and the fix; null when only root (or the agent's user) can change it. */
export function configUnsafe(place: ConfigPlace): string | null {
  const found = [
    problem('config', place.file.path, place.file.st, place.ownUid, false),
    ...place.dirs.map((d, i) => problem(i === 0 ? 'dir' : 'above', d.path, d.st, place.ownUid, i > 0)),
  ].filter((p): p is { what: string; fix: string } => p !== null);
  if (found.length === 0) return null;
  return (
    `config ${place.file.path}: ${found.map((p) => p.what).join(', and ')}: a domU config runs as root on this Dom0 (bootloader, device_model_override, ` +
    `a disk or vif script), so whoever can change it owns this Dom0; it is not started: check it, then run ${found.map((p) => p.fix).join(' and ')}`
  );
}
