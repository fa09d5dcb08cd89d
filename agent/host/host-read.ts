import type { HostFiles } from './files.js';
import { isConfigFileName, readGuardedConfigs } from './guarded-configs.js';
import { domuConfigParse, readParsed } from './parsed-read.js';
import { coexistenceWarnings, type AutoDirEntry } from '../decide/coexistence.js';
import type { GuardedEntry } from '../state/snapshot.js';
import type { DomuConfigDialect } from '../parse/domu-config.js';

/** The guarded dir as read: one entry per config (with why it could not be read), or why the dir could not be. */
export interface GuardedRead {
  readonly entries: GuardedEntry[];
  readonly problem: string | null;
}

/** The file-based parts of a full re-read: guarded configs (by DIALECT's rules), coexistence. */
export async function readGuarded(files: HostFiles, dir: string, dialect: DomuConfigDialect): Promise<GuardedRead> {
  const r = await readGuardedConfigs(files, dir, dialect);
  if (!r.ok) return { entries: [], problem: r.error.message };
  const entries = r.value.map((f): GuardedEntry => {
    if (f.config === null) {
      const base = f.file.slice(f.file.lastIndexOf('/') + 1).replace(/\.cfg$/, '');
      return { name: base, configPath: f.file, drbdResources: [], error: f.error.message };
    }
    return { name: f.config.name, configPath: f.file, drbdResources: [...f.config.drbdResources], error: null, place: f.place };
  });
  return { entries, problem: null };
}

export const AUTO_DIR = '/etc/xen/auto';
export const XENDOMAINS_DEFAULTS = '/etc/default/xendomains';

/**
 * Warnings when xendomains would start guarded domUs unguarded (see decide/coexistence.ts); the
 * auto dir's configs are read by DIALECT's rules, as xendomains starts them with this host's toolstack.
 */
export async function checkCoexistence(files: HostFiles, guarded: readonly GuardedEntry[], dialect: DomuConfigDialect): Promise<string[]> {
  const listed = await files.list(AUTO_DIR);
  const autoEntries: AutoDirEntry[] = [];
  if (listed.ok) {
    for (const file of listed.value.filter(isConfigFileName)) {
      const path = `${AUTO_DIR}/${file}`;
      const read = await readParsed(files, path, domuConfigParse(files.display(path), dialect));
      const parsed = read.ok ? read.value : null;
      autoEntries.push({ file, name: parsed?.ok ? parsed.value.name : null });
    }
  }
  const xd = await files.readText(XENDOMAINS_DEFAULTS);
  return coexistenceWarnings({
    guarded: guarded.filter((g) => g.error === null),
    autoDir: AUTO_DIR,
    autoEntries,
    xendomainsPath: XENDOMAINS_DEFAULTS,
    xendomainsText: xd.ok ? xd.value : null,
  });
}
