import type { FinishedJob } from '../../shared/protocol/ctl-jobs.js';
import { ownerWords } from '../../shared/owner-names.js';
import { isRollOperation, rollAgainWords } from '../../shared/roll-mark.js';
import { spanText } from '../../shared/text/span-text.js';
import { utcMinuteText } from '../../shared/text/utc-time.js';
import type { CheckProblem } from './check-conditions.js';
import type { FleetIndex } from './fleet-index.js';
import { currentMaintenanceSince, isReachable, type Freshness } from './host-record.js';

/**
 * How long after a job of this controller on a host ended well a report of that host still
 * draining or restoring is taken for the report lagging the job's last step (the agent set the
 * next state and answered; its report of it may come a moment after).
 */
export const UNHELD_AFTER_MS = 120_000;

/**
 * A host draining or restoring with no job of this controller working on it. A drain or restore
 * is a job of the controller that began it; a restart of that controller ends the job and leaves
 * the host's flag as it was, so the host stays out of service (a drain's target refuses it, a
 * restore's domUs stay away) with nothing going on and no alert: only a perfdata count showed it.
 * A job that ended in failure leaves it the same way. A WARNING at once, as nothing will change
 * it, naming who set the flag (ownerWords), since when, the job of this controller that ended on
 * it (ENDED: this controller's finished jobs, newest first) and both ways on: the same command
 * again takes it up where it stopped, `maintenance HOST off` puts it back online as it is. Only
 * the moment after a job ended well is waited out (UNHELD_AFTER_MS).
 */
export function unheldMaintenance(index: FleetIndex, fresh: Freshness, jobHosts: ReadonlySet<string>, ended: readonly FinishedJob[] = []): CheckProblem[] {
  const out: CheckProblem[] = [];
  for (const r of index.hostRecords()) {
    const m = r.state?.maintenance;
    if (!m || (m.state !== 'draining' && m.state !== 'restoring') || jobHosts.has(r.host) || !isReachable(r, fresh.now, fresh.staleAfterMs)) continue;
    const last = ended.find((j) => j.hosts.includes(r.host));
    if (last !== undefined && last.ok && fresh.now - last.endedAt < UNHELD_AFTER_MS) continue;
    const since = currentMaintenanceSince(r);
    const command = m.state === 'draining' ? 'drain' : 'restore';
    const set = [m.owner && `set by ${ownerWords(m.owner)}`, m.operationId && `operation ${m.operationId.slice(0, 8)}`].filter(Boolean).join(', ');
    const roll = isRollOperation(m.operationId);
    const how = `${m.state}${roll ? ' by a roll' : ''}${set ? ` (${set})` : ''}${since === null ? '' : ` since ${utcMinuteText(since)} (${spanText(fresh.now - since)})`}`;
    const why = last === undefined ? 'a controller restart or a failed job ends it' : `its ${last.kind} job ${last.jobId} ${last.ok ? 'ended' : `ended ${last.code ?? 'failed'}`} at ${utcMinuteText(last.endedAt)}`;
    out.push({
      status: 'WARNING',
      kind: 'maintenance-without-job',
      subject: r.host,
      short: `${r.host} ${m.state} with no job`,
      text: roll
        ? `${r.host}: ${how} with no roll running in this controller (${why}; the host stays out of service): ${rollAgainWords(r.host)}`
        : `${r.host}: ${how} with no ${command} job running in this controller (${why}; the host stays out of service): run \`xenherdctl ${command} ${r.host}\` again to finish it, or \`xenherdctl maintenance ${r.host} off\` to put it back online as it is`,
    });
  }
  return out;
}
