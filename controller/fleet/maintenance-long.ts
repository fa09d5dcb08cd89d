import { ownerShort } from '../../shared/owner-names.js';
import type { CheckThresholds } from '../../shared/protocol/ctl-check.js';
import { spanText } from '../../shared/text/span-text.js';
import type { AwayDomu } from './away-from-home.js';
import { reachableWithState, type CheckProblem } from './check-conditions.js';
import type { FleetIndex } from './fleet-index.js';
import type { Freshness } from './host-record.js';

/** How many of a host's domUs away from it its line names; the count says the rest. */
const NAMED = 5;

/**
 * A reachable host in maintenance past maintenanceWarnMs with no job of this controller on it.
 * A roll whose reboot wait timed out, or that was stopped by Ctrl-C, and a drain nobody restored,
 * all end here: the host stays out of service and its domUs run away from home, with less room
 * and (their DRBD peer being that host) one copy of their disks, and nothing else says so.
 * Maintenance is also where a Dom0 waits on purpose (for a repair, for days): hence a threshold of
 * its own, 0 for never, rather than a warning at once.
 *
 * A host in maintenance that is unreachable has its own WARNING from its first moment
 * (check-conditions.ts unreachableHosts): one line per host, not two. Draining and restoring left
 * without a job are unheld-maintenance.ts's. How long: since the controller saw the host enter
 * maintenance; after a controller restart, since it first heard of the host (the agent's flag
 * reaches it without a time), so the line says "at least", and the warning waits the threshold
 * again from the restart.
 */
export function maintenanceLong(index: FleetIndex, fresh: Freshness, t: CheckThresholds, jobHosts: ReadonlySet<string>, away: readonly AwayDomu[]): CheckProblem[] {
  if (t.maintenanceWarnMs === 0) return [];
  const out: CheckProblem[] = [];
  for (const r of reachableWithState(index, fresh)) {
    const m = r.state.maintenance;
    const since = r.maintenanceSince;
    if (m.state !== 'maintenance' || jobHosts.has(r.host) || since === null || since.state !== 'maintenance') continue;
    const age = Math.max(0, fresh.now - since.since);
    if (age < t.maintenanceWarnMs) continue;
    const span = since.seenEntering === true ? spanText(age) : `at least ${spanText(age)} (since this controller first heard of it)`;
    const whose = [m.owner && `owner ${ownerShort(m.owner)}`, m.operationId && `op ${m.operationId.slice(0, 8)}`].filter(Boolean).join(', ');
    const names = away.filter((a) => a.home === r.host).map((a) => a.name);
    const listed = names.length > NAMED ? `${names.slice(0, NAMED).join(', ')}, ...` : names.join(', ');
    const domus = names.length === 0 ? 'no domU homed there runs elsewhere' : `${names.length} domU${names.length === 1 ? '' : 's'} homed there run${names.length === 1 ? 's' : ''} elsewhere (${listed})`;
    out.push({
      status: 'WARNING',
      kind: 'maintenance-long',
      subject: r.host,
      short: `${r.host} in maintenance ${spanText(age)}`,
      text:
        `${r.host}: in maintenance${whose ? ` (${whose})` : ''} for ${span} with no job of this controller on it; ${domus}: ` +
        `\`xenherdctl restore ${r.host}\` brings it online${names.length === 0 ? '' : ' and them home'} (parked on purpose: check's --maintenance-warn sets when this is said, off for never)`,
    });
  }
  return out;
}
