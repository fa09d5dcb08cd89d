import { ledgerStore } from '../adapters/ledger-store.js';
import type { HostFiles } from './files.js';
import type { AgentConfig } from '../config/schema.js';
import { domuConfigParse, readParsed } from './parsed-read.js';
import { awayMap, type Ledger } from '../state/ledger.js';
import type { GuardedEntry } from '../state/snapshot.js';
import type { DomuConfigDialect } from '../parse/domu-config.js';
import { configPlace, dirsAbove } from './guarded-configs.js';

/**
 * What autostart takes from the ledger on each full read: which of our domUs left (awayTo), and
 * the visitors recorded here, as guarded entries (their config: `<configDir>/<name>.cfg`), so a
 * visitor is treated as this host's own after a reboot, under the same DRBD rules. Their configs
 * are read by DIALECT's rules, this host's toolstack's, which would start them.
 */
export async function readLedgerPart(
  files: HostFiles,
  stateDirReal: string,
  host: string,
  config: AgentConfig,
  own: readonly GuardedEntry[],
  dialect: DomuConfigDialect,
): Promise<{ ledger: Ledger | null; awayTo: Map<string, string>; visitors: GuardedEntry[]; problem: string | null }> {
  const r = ledgerStore(stateDirReal, host).read();
  if (!r.ok) return { ledger: null, awayTo: new Map(), visitors: [], problem: r.error.message };
  const visitors: GuardedEntry[] = [];
  const dirs = dirsAbove(files, config.migration.configDir);
  const ownUid = process.geteuid?.() ?? 0;
  for (const name of Object.keys(r.value.visitors).sort()) {
    if (own.some((g) => g.name === name)) continue;
    const configPath = `${config.migration.configDir.replace(/\/+$/, '')}/${name}.cfg`;
    const read = await readParsed(files, configPath, domuConfigParse(configPath, dialect));
    if (!read.ok) {
      visitors.push({ name, configPath, drbdResources: [], error: read.error.message });
      continue;
    }
    const cfg = read.value;
    // started here as our own after a reboot: judged as a guarded config is
    const place = configPlace(files, dirs, configPath, ownUid);
    visitors.push(cfg.ok ? { name, configPath, drbdResources: [...cfg.value.drbdResources], error: null, place } : { name, configPath, drbdResources: [], error: cfg.error.message });
  }
  return { ledger: r.value, awayTo: awayMap(r.value), visitors, problem: null };
}
