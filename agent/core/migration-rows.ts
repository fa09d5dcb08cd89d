import type { InventoryDomain } from '../../shared/inventory.js';
import type { AgentState } from './state.js';
import { arm, type Fx } from './timers.js';

/**
 * How often `xl list` is read again while a migration row stands here. libxl renames
 * `NAME--incoming` to NAME on the target (and NAME to `NAME--migratedaway` on the source) by a
 * xenstore write, which neither @introduceDomain nor @releaseDomain reports: without reading
 * again, the end of a migration into this host would show only at the next full read, and the
 * controller would answer "incoming, paused" for a minute. A quarter second keeps `where` behind
 * the real end by less than half a second; `xl list` costs a few ms. Rows that stand for long are
 * a long memory copy or the halves of a migration that ended without its handshake (an ALARM
 * that only a person ends): read less often then, not four times a second for days.
 */
export function migrationRowsPollMs(standingMs: number): number {
  if (standingMs < 2 * 60_000) return 250;
  if (standingMs < 30 * 60_000) return 1_000;
  return 10_000;
}

export const hasMigrationRow = (domains: readonly InventoryDomain[]): boolean => domains.some((d) => d.migration !== null);

/** After a list read: while a migration row stands, read the list again soon (timer 'migration-rows'). */
export function followMigrationRows(s: AgentState, fx: Fx, domains: readonly InventoryDomain[], now: number): AgentState {
  if (!hasMigrationRow(domains)) return s.migrationRowsSince === null ? s : { ...s, migrationRowsSince: null };
  const since = s.migrationRowsSince ?? now;
  return arm({ ...s, migrationRowsSince: since }, fx, 'migration-rows', migrationRowsPollMs(now - since));
}
