import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Ledger } from '../../agent/state/ledger.js';

/** What a simulated Dom0's agent keeps of its ledger on disk (its host root's /var/lib/xenherd). */
interface HostFiles {
  hostRoot(host: string): string;
}

const ledgerPath = (sim: HostFiles, host: string): string => join(sim.hostRoot(host), 'var/lib/xenherd/ledger.json');

/** HOST's ledger file as it stands, null while none was written: to show a refusal recorded nothing. */
export function ledgerFileText(sim: HostFiles, host: string): string | null {
  const path = ledgerPath(sim, host);
  return existsSync(path) ? readFileSync(path, 'utf8') : null;
}

/** HOST's ledger file, read as the agent wrote it. */
export const ledgerFile = (sim: HostFiles, host: string): Ledger => JSON.parse(readFileSync(ledgerPath(sim, host), 'utf8')) as Ledger;
