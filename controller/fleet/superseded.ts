import type { FleetIndex } from './fleet-index.js';
import { isCurrent, isReachable, type Freshness, type HostRecord } from './host-record.js';
import { isLive } from './live-row.js';

/**
 * A silent host's last report still counts (conflicts.ts: a partitioned Dom0 may still run the
 * domU), except where the fleet has seen it overtaken. An agent stopped mid-migration (a package
 * upgrade restarts it; the `xl migrate` it ran carries on) leaves its host's last report showing
 * NAME running there, taken before the migration ended; the target, current, then reports NAME
 * arriving (its `NAME--incoming` turned into NAME: arrivals.ts), which libxl does only once the
 * sender's copy is gone. So that silent host cannot still run NAME unless something happened
 * after it fell silent, which its next report will say: its rows of NAME are superseded, and
 * reading them as a second copy would page someone at 3 a.m. to "stop one copy" of a domU that
 * has one. A domU started by hand on another host (no receiving half seen) supersedes nothing.
 */

/**
 * Since when R's rows may be old: a host not reachable, since it was last heard from; one
 * reachable whose agent cannot read xl list, since it said so (the rows it shows are the ones it
 * read before: blind-rows.ts), that host is as silent about its domains. Null: its rows are now.
 */
function rowsAsOf(r: HostRecord, fresh: Freshness): number | null {
  if (r.viewLag?.view === 'unknown') return r.viewLag.since;
  return r.lastSeen === null || isReachable(r, fresh.now, fresh.staleAfterMs) ? null : r.lastSeen;
}

/**
 * Whether HOST's rows of NAME are superseded: HOST is not reachable (or cannot read its domains), and a current host (BY, when
 * given) saw NAME arrive by migration after HOST was last heard from (or lost sight of its domains), and runs that very domain
 * still (a live plain row under the domid it arrived with).
 */
export function supersededOn(index: FleetIndex, name: string, host: string, fresh: Freshness, by?: string): boolean {
  const silent = index.record(host);
  const asOf = silent === undefined ? null : rowsAsOf(silent, fresh);
  if (silent === undefined || asOf === null) return false;
  for (const [t, rows] of index.running.get(name) ?? []) {
    if (t === host || (by !== undefined && t !== by)) continue;
    const target = index.record(t);
    const arrival = target?.arrivedAt?.[name];
    // an arrival the silent host may have reported after (its last word came later) proves nothing
    if (target === undefined || arrival === undefined || arrival.at <= asOf || !isCurrent(target, fresh.now, fresh.staleAfterMs)) continue;
    if (rows.some((d) => d.migration === null && isLive(d) && d.domid === arrival.domid)) return true;
  }
  return false;
}

/**
 * Whether SILENT's Primary on a DRBD resource rests only on its last report of domUs using it
 * (USERS: those whose disks include the resource there) that ran there and have since arrived by
 * migration on OTHER, its partner: the sender's copy is destroyed as the migration ends, and its
 * disks' hotplug script (block-drbd) makes them Secondary, so that Primary is as stale as the row. False when its last report ran no such domU (a Primary
 * held without one is not explained by any migration).
 */
export function primarySuperseded(index: FleetIndex, silent: string, other: string, users: readonly string[], fresh: Freshness): boolean {
  // a host heard from reports its DRBD roles now, even while it cannot read its domains
  const r = index.record(silent);
  if (r === undefined || isReachable(r, fresh.now, fresh.staleAfterMs)) return false;
  const ran = users.filter((n) => index.running.get(n)?.get(silent)?.some((d) => d.migration === null && isLive(d)) === true);
  return ran.length > 0 && ran.every((n) => supersededOn(index, n, silent, fresh, other));
}

/**
 * Whether HOST's rows of NAME are receiving halves (`NAME--incoming`) overtaken the other way
 * round: HOST is silent, and a current host, heard since, reports NAME as a live plain row and no
 * sender's half of it. A migration's copy leaves the source's row plain and a handshake makes it
 * `NAME--migratedaway`; a source reporting it plain with no such half, while the target says
 * nothing, resumed it (the target lost power, or its stream broke): that move is over. Counted
 * as one under way, the half kept `status` at "1 migrating" until the dead target came back.
 */
export function incomingOvertaken(index: FleetIndex, name: string, host: string, fresh: Freshness): boolean {
  const silent = index.record(host);
  const asOf = silent === undefined ? null : rowsAsOf(silent, fresh);
  const byHost = index.running.get(name);
  const mine = byHost?.get(host);
  if (asOf === null || byHost === undefined || mine === undefined || !mine.every((d) => d.migration === 'incoming')) return false;
  let resumed = false;
  for (const [t, rows] of byHost) {
    if (t === host) continue;
    const r = index.record(t);
    if (r === undefined || !isCurrent(r, fresh.now, fresh.staleAfterMs)) continue;
    if (rows.some((d) => d.migration === 'migratedaway')) return false;
    if (r.lastSeen !== null && r.lastSeen > asOf && rows.some((d) => d.migration === null && isLive(d))) resumed = true;
  }
  return resumed;
}

/** Whether NAME has a migration row that may belong to a move under way: one not overtaken (incomingOvertaken). */
export function migrationUnderWay(index: FleetIndex, name: string, fresh: Freshness): boolean {
  for (const [host, rows] of index.running.get(name) ?? []) {
    if (rows.some((d) => d.migration !== null) && !incomingOvertaken(index, name, host, fresh)) return true;
  }
  return false;
}
