import { ok, type Result } from '../../shared/result.js';
import { parseDomuConfig, type DomuConfigDialect } from '../parse/domu-config.js';
import type { ConfigFileError } from '../parse/domu-config-error.js';
import { drbdResReplicas, type DrbdResReplicas } from '../parse/drbd-res-hosts.js';
import { parseMigrateTab } from '../parse/migrate-tab.js';
import type { FileFailure, HostFiles, TextParse } from './files.js';

/**
 * A host file read and parsed: through the files' own parse-once reader when they have one (a
 * full read's session, file-cache.ts), else read and parsed here. Same result either way.
 */
export async function readParsed<T>(files: HostFiles, hostPath: string, how: TextParse<T>): Promise<Result<T, FileFailure>> {
  if (files.readParsed) return files.readParsed(hostPath, how);
  const text = await files.readText(hostPath);
  return text.ok ? ok(how.parse(text.value)) : text;
}

/**
 * a domU config read by DIALECT's rules (the host's toolstack's), its errors naming the file as
 * `shown`; the dialect is in the key, as the same text may read otherwise by the other's rules
 */
export const domuConfigParse = (shown: string, dialect: DomuConfigDialect): TextParse<ReturnType<typeof parseDomuConfig>> => ({
  key: `domu-config\0${dialect}\0${shown}`,
  parse: (text) => parseDomuConfig(text, shown, { dialect }),
});

/** the hosts RESOURCE's `.res` file names (and which are diskless), its errors naming the file as `shown`; kept results are shared, hence readonly */
export const resHostsParse = (resource: string, shown: string): TextParse<Result<Readonly<DrbdResReplicas>, ConfigFileError>> => ({
  key: `drbd-res-hosts\0${resource}\0${shown}`,
  parse: (text) => drbdResReplicas(text, resource, shown),
});

export const migrateTabParse = (shown: string): TextParse<ReturnType<typeof parseMigrateTab>> => ({ key: `migrate-tab\0${shown}`, parse: (text) => parseMigrateTab(text, shown) });
