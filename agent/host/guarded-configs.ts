import type { DomuConfig, DomuConfigDialect } from '../parse/domu-config.js';
import type { HostFiles } from './files.js';
import type { XhError } from '../../shared/errors.js';
import { err, ok, type Result } from '../../shared/result.js';
import { domuConfigParse, readParsed } from './parsed-read.js';
import type { ConfigPlace } from '../state/config-place.js';

export const DEFAULT_GUARDED_DIR = '/etc/xen/drbd-auto';

/**
 * One file of the guarded dir: its parsed config, or why it could not be read; and who can change
 * it (its mode and owner, its dir's and those above), as read: whether that forbids starting it is
 * judged over these facts by decide/config-safety.ts, not here.
 */
export type GuardedConfigFile =
  | { readonly file: string; readonly config: DomuConfig; readonly error: null; readonly place: ConfigPlace }
  | { readonly file: string; readonly config: null; readonly error: XhError; readonly place: ConfigPlace };

/**
 * Editor and package-manager leftovers are not domU configs: xendomains and xen-drbd-auto would
 * have tried to start them; we skip them.
 */
export function isConfigFileName(name: string): boolean {
  if (name.startsWith('.') || name.endsWith('~')) return false;
  return !/\.(dpkg-(old|new|dist|tmp)|rpmnew|rpmsave|swp|bak|orig|disabled)$/.test(name);
}

/**
 * Reads every domU config in the guarded dir by DIALECT's rules. A missing default dir is an empty
 * list (a Dom0 that guards nothing, as packaged); a missing dir the config names is a failure, as is
 * one that cannot be listed: a typo in guardedDir must not read as "nothing to guard". The message
 * names the dir and the config key to fix.
 */
export async function readGuardedConfigs(
  files: HostFiles,
  dir: string,
  dialect: DomuConfigDialect,
  ownUid: number = process.geteuid?.() ?? 0,
): Promise<Result<GuardedConfigFile[], XhError & { errno: string }>> {
  const names = await files.list(dir);
  if (!names.ok && names.error.errno === 'ENOENT' && dir.replace(/\/+$/, '') === DEFAULT_GUARDED_DIR) return ok([]);
  if (!names.ok) {
    const fix = names.error.errno === 'ENOENT' ? 'create it' : 'make it a directory the agent can read';
    return err({ ...names.error, message: `${names.error.message}, so no domU is guarded: ${fix}, or set guardedDir in the agent config to the dir that holds the guarded domU configs` });
  }
  const out: GuardedConfigFile[] = [];
  const dirs = dirsAbove(files, dir);
  for (const name of names.value.filter(isConfigFileName)) {
    const path = `${dir.replace(/\/+$/, '')}/${name}`;
    const read = await readParsed(files, path, domuConfigParse(files.display(path), dialect));
    if (!read.ok && read.error.errno === 'EISDIR') continue; // a subdirectory is not a config
    const place = configPlace(files, dirs, path, ownUid);
    // anything else unreadable is a problem to report
    if (!read.ok) out.push({ file: path, config: null, error: read.error, place });
    else out.push(read.value.ok ? { file: path, config: read.value.value, error: null, place } : { file: path, config: null, error: read.value.error, place });
  }
  return ok(out);
}

/** DIR (a host path), then each dir above it up to /, with their modes and owners. */
export function dirsAbove(files: HostFiles, dir: string): ConfigPlace['dirs'] {
  const out: { path: string; st: ReturnType<HostFiles['access']> }[] = [];
  let d = dir.replace(/\/+$/, '') || '/';
  for (;;) {
    out.push({ path: files.display(d), st: files.access(d) });
    if (d === '/' || !d.includes('/')) return out;
    d = d.slice(0, d.lastIndexOf('/')) || '/';
  }
}

/**
 * Who can change the domU config at PATH, in DIRS (dirsAbove of its dir): its mode and owner with
 * theirs. Stat'ed after the read: a file made safe meanwhile is judged as it is now, one made
 * unsafe since only by its owner (root).
 */
export function configPlace(files: HostFiles, dirs: ConfigPlace['dirs'], path: string, ownUid: number): ConfigPlace {
  return { file: { path: files.display(path), st: files.access(path) }, dirs, ownUid };
}
