import type { FleetIndex } from './fleet-index.js';
import { isReachable, type Freshness } from './host-record.js';
import { isLive } from './live-row.js';

/**
 * How long a dual Primary that may be a live migration's first moment waits before it is called a
 * split brain. The target's DRBD resource is promoted as xl creates NAME--incoming there: events2
 * tells its agent at once, but the domain only shows after a xenstore watch and an `xl list` read,
 * which the agent says is behind past 2 s (agent/core/view-lag.ts `VIEW_BEHIND_AFTER_MS`), so the
 * promotion can reach the controller a second or two before the row that explains it. Five seconds
 * covers that and a delta's trip, and is still prompt for a page.
 */
export const PROMOTION_FIRST_SETTLE_MS = 5_000;

const runsPlain = (index: FleetIndex, name: string, host: string): boolean => index.running.get(name)?.get(host)?.some((d) => d.migration === null && isLive(d)) ?? false;
const holdsNoRow = (index: FleetIndex, name: string, host: string): boolean => (index.running.get(name)?.get(host)?.length ?? 0) === 0;

/**
 * Whether a dual Primary of a resource between HOSTS has the shape a live migration has in the
 * moments one Dom0's report shows it before the other's does: a domU using the resource runs
 * (plainly, live) on one of them, the other shows no row of it at all, and both are heard from
 * now, so the missing row is one on its way, not a report gone silent. The end of a move looks
 * the same (the source demoted after its row went). A domU running on both, or a Primary with no
 * running user anywhere, is no move's shape and is said at once.
 */
export function mayBeMoveStarting(index: FleetIndex, users: Iterable<string>, hosts: readonly [string, string], fresh: Freshness): boolean {
  const heard = hosts.every((h) => {
    const r = index.record(h);
    return r !== undefined && isReachable(r, fresh.now, fresh.staleAfterMs);
  });
  if (!heard) return false;
  const [a, b] = hosts;
  for (const name of users) {
    if ((runsPlain(index, name, a) && holdsNoRow(index, name, b)) || (runsPlain(index, name, b) && holdsNoRow(index, name, a))) return true;
  }
  return false;
}

/**
 * Whether HOST has sent no report since this controller started (or since its Dom0 rebooted,
 * which drops the record's state). A dual Primary seen only from its partner's side then lacks the
 * one report that could show a migration's `NAME--incoming` row on HOST: after a controller
 * restart mid-migration the source often reports first. It waits PROMOTION_FIRST_SETTLE_MS for
 * that report, as a move's first moment does; a real split brain is raised once it has stood so.
 */
export const partnerUnreported = (index: FleetIndex, host: string): boolean => (index.record(host)?.state ?? null) === null;
