import { conflictScan } from './conflicts.js';
import type { FleetIndex } from './fleet-index.js';
import type { Finding } from './finding.js';
import type { Freshness } from './host-record.js';
import { foreignClaims } from './foreign-claims.js';
import { halvesWithoutDisks } from './foreign-halves.js';
import { strandedIncoming } from './incoming-halves.js';
import { awayUnrecorded, strandedMigrations, unsettledMigrations } from './migration-alerts.js';
import { TICK, type Tick } from './scan-tick.js';

/** Everything the controller alerts on, from every host's last report, in no order, with a TICK every so many items looked at. */
export function* alertScan(index: FleetIndex, fresh: Freshness): Generator<Finding | Tick> {
  yield* conflictScan(index, fresh);
  yield* foreignClaims(index, fresh);
  yield* strandedMigrations(index, fresh);
  yield* strandedIncoming(index, fresh);
  yield* halvesWithoutDisks(index, fresh);
  yield* unsettledMigrations(index, fresh);
  yield* awayUnrecorded(index, fresh);
}

export const byFindingId = (a: Finding, b: Finding): number => a.id.localeCompare(b.id);

/** Everything the controller alerts on, from every host's last report, by id. */
export function findAlerts(index: FleetIndex, fresh: Freshness): Finding[] {
  const found: Finding[] = [];
  for (const f of alertScan(index, fresh)) if (f !== TICK) found.push(f);
  return found.sort(byFindingId);
}
