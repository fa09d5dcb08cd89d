import { findConflicts } from './conflicts.js';
import type { FleetIndex } from './fleet-index.js';
import type { Finding } from './finding.js';
import type { Freshness } from './host-record.js';
import { awayUnrecorded, strandedMigrations, unsettledMigrations } from './migration-alerts.js';

/** Everything the controller alerts on, from every host's last report, by id. */
export function findAlerts(index: FleetIndex, fresh: Freshness): Finding[] {
  return [...findConflicts(index, fresh), ...strandedMigrations(index, fresh), ...unsettledMigrations(index, fresh), ...awayUnrecorded(index, fresh)].sort((a, b) => a.id.localeCompare(b.id));
}
