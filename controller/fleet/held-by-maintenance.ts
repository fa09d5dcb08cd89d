import type { CheckThresholds } from '../../shared/protocol/ctl-check.js';
import { MAINTENANCE_WORDS } from '../../shared/text/maintenance-words.js';
import { spanText } from '../../shared/text/span-text.js';
import { agoOf, reachableWithState, type CheckProblem } from './check-conditions.js';
import type { FleetIndex } from './fleet-index.js';
import type { Freshness } from './host-record.js';
import { isLive } from './live-row.js';
import { unseenPlaces } from './unseen-places.js';

/**
 * Guarded domUs that run nowhere while the Dom0 guarding them is in maintenance (draining, in
 * maintenance, restoring): its autostart starts nothing there until it is online again, so the
 * domU stays down, and no deferral says so. A domU lost in a crash during a drain or a roll, and
 * reconciled as its ALARM asks, ends so. Present anywhere, a migration's half included (a move
 * between two reports shows only halves), is not down. One a reachable Dom0 out of maintenance
 * may still start is that Dom0's decision to report, not this one's.
 *
 * When it is a WARNING. Unlike a deferral, nothing here clears up by itself: maintenance ends only
 * by a person or a job. So it is one as soon as the agent has decided "skip: maintenance", unless
 * a job of this controller (JOBHOSTS) works on that Dom0 while it is draining or restoring: a
 * drain's cold move runs the domU nowhere between its shutdown and its start, and a restore
 * starts it at home, so only then does it wait --warn-deferred, as a deferral does (and the job
 * names what it leaves down when it ends). A Dom0 in maintenance has no such move under way: a
 * drain sets it only once its moves are done. The wait is not counted from anything an agent
 * restart resets (a Dom0 back from a power loss decides afresh, "since" now), for the warning
 * does not depend on it: a domU lost with its Dom0 mid-drain is a WARNING once that Dom0 reports
 * again. CRITICAL past --crit-deferred of the decision's age (after such a restart, counted from
 * it: the WARNING already stands meanwhile). While a Dom0 that could run it is unheard (not
 * reported since the controller started, unreachable, or its ledger sends the domU there), it is
 * not known down: said so, a WARNING at most, for that Dom0's own line is the CRITICAL one.
 */
export function heldByMaintenance(index: FleetIndex, fresh: Freshness, t: CheckThresholds, jobHosts: ReadonlySet<string>): CheckProblem[] {
  const problems: CheckProblem[] = [];
  const reachable = [...reachableWithState(index, fresh)];
  const startable = new Set(reachable.flatMap((r) => r.state.guarded.filter((g) => g.decision === 'start' || g.decision === 'defer').map((g) => g.name)));
  for (const r of reachable) {
    const state = r.state.maintenance.state;
    const jobUnderWay = state !== 'maintenance' && jobHosts.has(r.host);
    for (const g of r.state.guarded) {
      if (g.decision !== 'skip' || g.reason !== 'maintenance' || startable.has(g.name) || presentSomewhere(index, g.name)) continue;
      const age = agoOf(r, g.since, fresh.now) ?? 0;
      const status = age >= t.critDeferredMs ? 'CRITICAL' : !jobUnderWay || age >= t.warnDeferredMs ? 'WARNING' : null;
      if (status === null) continue;
      const words = MAINTENANCE_WORDS[state];
      const held = `${r.host} starts nothing while it is ${words} (for ${spanText(age)})`;
      // a Dom0 that could run it unheard: "down" and "start it elsewhere" would start a second copy
      const unseen = unseenPlaces(index, g.name, fresh);
      if (unseen.length > 0) {
        problems.push({
          status: 'WARNING',
          kind: 'down-in-maintenance',
          subject: g.name,
          short: `${g.name} not seen running, ${r.host} ${words}`,
          text: `${g.name}: not seen running, and ${held}; unknown whether it runs on ${unseen.join('; ')}: start it nowhere before \`xenherdctl where ${g.name}\` hears from ${unseen.length === 1 ? 'that Dom0' : 'those Dom0s'}`,
        });
        continue;
      }
      problems.push({
        status,
        kind: 'down-in-maintenance',
        subject: g.name,
        short: `${g.name} runs nowhere, ${r.host} ${words}`,
        text: `${g.name}: running nowhere, and ${held}: \`xenherdctl restore ${r.host}\` brings ${r.host} online, and its autostart then starts ${g.name} (or start it elsewhere)`,
      });
    }
  }
  return problems;
}

const presentSomewhere = (index: FleetIndex, name: string): boolean => [...(index.running.get(name)?.values() ?? [])].some((rows) => rows.some(isLive));
