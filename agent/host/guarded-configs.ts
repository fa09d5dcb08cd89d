import type { DomuConfig, DomuConfigDialect } from '../parse/domu-config.js';
import type { HostFiles } from './files.js';
import type { XhError } from '../../shared/errors.js';
import { err, ok, type Result } from '../../shared/result.js';
import { domuConfigParse, readParsed } from './parsed-read.js';

export const DEFAULT_GUARDED_DIR = '/etc/xen/drbd-auto';

/** One file of the guarded dir: its parsed config, or why it could not be read. */
export type GuardedConfigFile =
  | { readonly file: string; readonly config: DomuConfig; readonly error: null }
  | { readonly file: string; readonly config: null; readonly error: XhError };

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
export async function readGuardedConfigs(files: HostFiles, dir: string, dialect: DomuConfigDialect): Promise<Result<GuardedConfigFile[], XhError & { errno: string }>> {
  const names = await files.list(dir);
  if (!names.ok && names.error.errno === 'ENOENT' && dir.replace(/\/+$/, '') === DEFAULT_GUARDED_DIR) return ok([]);
  if (!names.ok) {
    const fix = names.error.errno === 'ENOENT' ? 'create it' : 'make it a directory the agent can read';
    return err({ ...names.error, message: `${names.error.message}, so no domU is guarded: ${fix}, or set guardedDir in the agent config to the dir that holds the guarded domU configs` });
  }
  const out: GuardedConfigFile[] = [];
  for (const name of names.value.filter(isConfigFileName)) {
    const path = `${dir.replace(/\/+$/, '')}/${name}`;
    const read = await readParsed(files, path, domuConfigParse(files.display(path), dialect));
    if (!read.ok) {
      // a subdirectory is not a config; anything else unreadable is a problem to report
      if (read.error.errno !== 'EISDIR') out.push({ file: path, config: null, error: read.error });
      continue;
    }
    const parsed = read.value;
    out.push(parsed.ok ? { file: path, config: parsed.value, error: null } : { file: path, config: null, error: parsed.error });
  }
  return ok(out);
}
