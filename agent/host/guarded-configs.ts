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

/** Reads every domU config in the guarded dir by DIALECT's rules; a missing dir is an empty list. */
export async function readGuardedConfigs(files: HostFiles, dir: string, dialect: DomuConfigDialect): Promise<Result<GuardedConfigFile[], XhError & { errno: string }>> {
  const names = await files.list(dir);
  if (!names.ok) return names.error.errno === 'ENOENT' ? ok([]) : err(names.error);
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
