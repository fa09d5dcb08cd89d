import type { CheckThresholds } from '../../shared/protocol/ctl-check.js';
import { spanText } from '../../shared/text/span-text.js';
import { agoOf, reachableWithState, type CheckProblem } from './check-conditions.js';
import type { FleetIndex } from './fleet-index.js';
import type { Freshness } from './host-record.js';
import { isLive } from './live-row.js';

/**
 * Guarded domUs that run nowhere while the Dom0 guarding them is in maintenance (draining, in
 * maintenance, restoring): its autostart starts nothing there until it is online again, so the
 * domU stays down, and no deferral says so. A domU lost in a crash during a drain or a roll, and
 * reconciled as its ALARM asks, ends so. Judged as a deferral is, from how long the agent's
 * decision has been "skip: maintenance" (the time a host entered maintenance, or the domU left):
 * WARNING past --warn-deferred, CRITICAL past --crit-deferred. Present anywhere, a migration's
 * half included (a move between two reports shows only halves), is not down. One a reachable
 * Dom0 out of maintenance may still start is that Dom0's decision to report, not this one's.
 */
export function heldByMaintenance(index: FleetIndex, fresh: Freshness, t: CheckThresholds): CheckProblem[] {
  const problems: CheckProblem[] = [];
  const reachable = [...reachableWithState(index, fresh)];
  const startable = new Set(reachable.flatMap((r) => r.state.guarded.filter((g) => g.decision === 'start' || g.decision === 'defer').map((g) => g.name)));
  for (const r of reachable) {
    for (const g of r.state.guarded) {
      if (g.decision !== 'skip' || g.reason !== 'maintenance' || startable.has(g.name) || presentSomewhere(index, g.name)) continue;
      const age = agoOf(r, g.since, fresh.now) ?? 0;
      const status = age >= t.critDeferredMs ? 'CRITICAL' : age >= t.warnDeferredMs ? 'WARNING' : null;
      if (status === null) continue;
      const state = r.state.maintenance.state;
      problems.push({
        status,
        kind: 'down-in-maintenance',
        subject: g.name,
        short: `${g.name} runs nowhere, ${r.host} ${state}`,
        text: `${g.name}: running nowhere, and ${r.host} starts nothing while it is ${state} (for ${spanText(age)}): \`xenherdctl restore ${r.host}\` brings ${r.host} online, and its autostart then starts ${g.name} (or start it elsewhere)`,
      });
    }
  }
  return problems;
}

const presentSomewhere = (index: FleetIndex, name: string): boolean => [...(index.running.get(name)?.values() ?? [])].some((rows) => rows.some(isLive));
