import { abandons } from './move-scheduler.js';
import type { JobRequest } from '../../shared/protocol/ctl-jobs.js';
import { restoreClaim, restoreEndClaim } from '../plan/maintenance-claims.js';
import type { PlanFacts } from '../plan/facts.js';
import { notRunningAtHome, planRestore } from '../plan/restore.js';
import { claimFailed, failure, maintenanceHost, refusal, leftoverCode, moveContexts, remainingText, runScheduled, stepOf, stoppedCode, success, type Ending, type JobEnv } from './job-env.js';
import type { JobRun } from './job-run.js';
import { claimForJob } from './maintenance-lease.js';
import { alarmText } from './drain-account.js';
import { withUnsettled } from './unsettled-moves.js';

type RestoreRequest = Extract<JobRequest, { kind: 'restore' }>;

/**
 * maintenance → restoring → online. Brings home every domU whose home is HOST, from the agents'
 * homes and ledgers (visitors parked on HOST sent home first when they are in the way), pass
 * after pass while anything still moves. The host is online at the end, leftovers or not: what
 * stays away is reported with its reason and does not hold the rest back.
 */
export async function runRestore(env: JobEnv, job: JobRun, req: RestoreRequest): Promise<Ending> {
  const { port } = env;
  const host = req.host;
  const f0 = port.facts();
  const usable = maintenanceHost(host, f0);
  if (!usable.ok) return refusal(job, usable.ending);
  const h = usable.host;
  job.emit({ type: 'plan', plan: planRestore(f0, host, env.policy) });
  const claim = restoreClaim(h.maintenance, port.newId());
  job.operationId = claim.operationId;
  const { lease, claimed } = await claimForJob(env, job, host, claim);
  try {
    if (!claimed.ok) return claimFailed(job, claimed.error);

    const end = await runScheduled(
      env,
      job,
      {
        step: (f) => stepOf(planRestore(f, host, { ...env.policy, creditDepartures: false })),
        limits: env.settings.limits,
        contextFor: moveContexts(env, job, 'restore', () => claim.operationId, false),
      },
      req.timeoutMs === null ? null : job.startedAt + req.timeoutMs,
    );
    const moved = end.moved.length;
    // the moves that counted but that a ledger keeps as an ALARM (the DRBD link lost in a handover
    // home): every ending names them as a drain's does (drain-account.ts), and none is a success;
    // the plan's leftover of one ("not home") is not its truth: it is home, held by the ALARM
    const { alarms, leftovers, left } = withUnsettled(port, end);
    const also = alarms.length === 0 ? '' : `; ${alarmText(alarms)}`;
    if (abandons(end.stoppedBy)) {
      lease.stop();
      return failure('XH_ERR_REFUSED', `the restore was stopped: ${leftovers.length} domU(s) not home (${moved} moved)${also}`, left, moved);
    }
    const online = await lease.set(restoreEndClaim(claim.operationId));
    if (!online.ok) return failure(online.error.code, `${moved} domU(s) came home, but ${online.error.message}${also}`, left, moved);
    job.emit({ type: 'host', host, maintenance: online.value });
    if (end.stoppedBy === null && leftovers.length === 0) {
      const home = `${host} is online and every domU of it is home (${moved} moved)`;
      const idle = notRunningNote(port.facts(), host);
      if (alarms.length === 0) return success(`${home}${idle}`, moved);
      return failure(leftoverCode(alarms), `${home}, but ${alarmText(alarms)}${idle}`, alarms, moved);
    }
    const code = stoppedCode(end.stoppedBy, left);
    return failure(code, `${host} is online; ${leftovers.length} domU(s) of it are not home (${moved} moved): ${remainingText(leftovers)}${also}`, left, moved);
  } finally {
    lease.stop();
  }
}

/** The restore's answer names the host's domUs it left alone as shut down at home (notRunningAtHome). */
function notRunningNote(facts: PlanFacts, host: string): string {
  const idle = notRunningAtHome(facts, host);
  if (idle.length === 0) return '';
  return `; not running anywhere, and recorded away nowhere: ${idle.join(', ')} (shut down, or lost with a host no ledger says it ran on: see xenherdctl where)`;
}
