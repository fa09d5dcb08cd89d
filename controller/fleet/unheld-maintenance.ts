import { isRollOperation, rollAgainWords } from '../../shared/roll-mark.js';
import { spanText } from '../../shared/text/span-text.js';
import type { CheckProblem } from './check-conditions.js';
import type { FleetIndex } from './fleet-index.js';
import { currentMaintenanceSince, isReachable, type Freshness } from './host-record.js';

/** How long a host may be draining or restoring with no job here before check says so. */
export const UNHELD_AFTER_MS = 120_000;

/**
 * A host draining or restoring with no job of this controller working on it. A drain or restore
 * is a job of the controller that began it; a restart of that controller ends the job and leaves
 * the host's flag as it was, so the host stays out of service (a drain's target refuses it, a
 * restore's domUs stay away) with nothing going on and no alert: only a perfdata count showed it.
 * A job that ended in failure leaves it the same way. Running the same command again takes it up
 * where it stopped. A WARNING after UNHELD_AFTER_MS, so the moment between a job's end and the
 * host's report of its next state is not one.
 */
export function unheldMaintenance(index: FleetIndex, fresh: Freshness, jobHosts: ReadonlySet<string>): CheckProblem[] {
  const out: CheckProblem[] = [];
  for (const r of index.hostRecords()) {
    const m = r.state?.maintenance;
    if (!m || (m.state !== 'draining' && m.state !== 'restoring') || jobHosts.has(r.host) || !isReachable(r, fresh.now, fresh.staleAfterMs)) continue;
    const since = currentMaintenanceSince(r);
    if (since === null || fresh.now - since < UNHELD_AFTER_MS) continue;
    const command = m.state === 'draining' ? 'drain' : 'restore';
    const whose = [m.owner && `owner ${m.owner}`, m.operationId && `op ${m.operationId.slice(0, 8)}`].filter(Boolean).join(', ');
    out.push({
      status: 'WARNING',
      kind: 'maintenance-without-job',
      subject: r.host,
      short: `${r.host} ${m.state} with no job`,
      text: isRollOperation(m.operationId)
        ? `${r.host}: ${m.state} by a roll${whose ? ` (${whose})` : ''} for ${spanText(fresh.now - since)} with no roll running in this controller (a controller restart or a failed job ends it; the host stays out of service): ${rollAgainWords(r.host)}`
        : `${r.host}: ${m.state}${whose ? ` (${whose})` : ''} for ${spanText(fresh.now - since)} with no ${command} job running in this controller (a controller restart or a failed job ends it; the host stays out of service): run \`xenherdctl ${command} ${r.host}\` again to finish it`,
    });
  }
  return out;
}
