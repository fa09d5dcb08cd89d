import type { XhError } from '../../shared/errors.js';
import { err, ok, type Result } from '../../shared/result.js';
import type { MigrationFacts } from '../decide/migration-plan.js';
import { domuResources, drbdPeerOf, readHomesReadingGuarded } from '../host/homes.js';
import { readMaintenanceFlag } from '../host/maintenance-flag.js';
import type { MigrationPorts } from './ports.js';

/** One read of this Dom0 for deciding a migration plan about NAME. */
export async function readMigrationFacts(p: MigrationPorts, name: string): Promise<Result<MigrationFacts, XhError>> {
  const ledger = p.store.read();
  if (!ledger.ok) return ledger;
  const domains = await p.toolstack.list();
  if (!domains.ok) return err(domains.error);
  // configs are read by the rules of this host's toolstack, which starts them
  const kind = p.toolstack.kind;
  const { homes, problems } = await readHomesReadingGuarded(p, kind);
  const resources = await domuResources(p, homes, name, kind);
  return ok({
    host: p.host,
    ledger: ledger.value,
    homes,
    homesProblem: problems[0] ?? null,
    domains: domains.value,
    resources,
    drbdPartner: resources && resources.length > 0 ? await drbdPeerOf(p, resources) : null,
    maintenance: (await readMaintenanceFlag(p.files, p.config.stateDir)).flag.state,
  });
}
