import type { InventoryDomain } from '../../shared/inventory.js';
import type { AgentState } from './state.js';
import { arm, type Fx } from './timers.js';

/** the interval once rows have stood for half an hour, and the longest wait a slow read adds */
const SLOWEST_POLL_MS = 10_000;

/**
 * How often `xl list` is read again while a migration row stands here. libxl renames
 * `NAME--incoming` to NAME on the target (and NAME to `NAME--migratedaway` on the source) by a
 * xenstore write, which neither @introduceDomain nor @releaseDomain reports: without reading
 * again, the end of a migration into this host would show only at the next full read, and the
 * controller would answer "incoming, paused" for a minute. A quarter second keeps `where` behind
 * the real end by less than half a second; `xl list` costs a few ms on a Dom0 with CPU to spare
 * (READ_COST_FACTOR below is for one without). Rows that stand for long are a long memory copy
 * or the halves of a migration that ended without its handshake (an ALARM that only a person
 * ends): read less often then, not four times a second for days.
 */
export function migrationRowsPollMs(standingMs: number): number {
  if (standingMs < 2 * 60_000) return 250;
  if (standingMs < 30 * 60_000) return 1_000;
  return SLOWEST_POLL_MS;
}

/**
 * The wait before the next read is at least this many times what the last one took, so these
 * reads hold a fifth of a CPU at most (reads of up to 2.5 s): on a loaded or slow Dom0
 * `xl list` can take a second, and read again every quarter second it would take the CPU from
 * the very migration it watches (the incoming side restores the guest's memory meanwhile). The
 * wait this adds stops at SLOWEST_POLL_MS: one read that hung for a while must not leave the
 * agent blind to the migration's end for minutes.
 */
const READ_COST_FACTOR = 4;

/** The wait before the next read: by how long the rows have stood, and no less than READ_COST_FACTOR times LASTREADMS (up to SLOWEST_POLL_MS). */
export const migrationRowsWaitMs = (standingMs: number, lastReadMs: number): number =>
  Math.max(migrationRowsPollMs(standingMs), Math.min(SLOWEST_POLL_MS, Math.ceil(READ_COST_FACTOR * Math.max(0, lastReadMs))));

export const hasMigrationRow = (domains: readonly InventoryDomain[]): boolean => domains.some((d) => d.migration !== null);

/**
 * After a list read that took TOOKMS: while a migration row stands, read the list again soon
 * (timer 'migration-rows'). TOOKMS null: a full read, which runs more than `xl list` and is not
 * timed. The timed reads go on by themselves (one is armed, or one runs and arms the next as it
 * lands); a full read landing in between must not bring the next one forward, or on a slow Dom0
 * the reads would run back to back.
 */
export function followMigrationRows(s: AgentState, fx: Fx, domains: readonly InventoryDomain[], now: number, tookMs: number | null): AgentState {
  if (!hasMigrationRow(domains)) return s.migrationRowsSince === null ? s : { ...s, migrationRowsSince: null };
  const since = s.migrationRowsSince ?? now;
  const n = { ...s, migrationRowsSince: since };
  if (tookMs === null && (s.timers.has('migration-rows') || s.listRead.running)) return n;
  return arm(n, fx, 'migration-rows', migrationRowsWaitMs(now - since, tookMs ?? 0));
}
