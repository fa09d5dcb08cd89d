import { abandons } from './move-scheduler.js';
import type { ErrorCode } from '../../shared/errors.js';
import type { JobRequest } from '../../shared/protocol/ctl-jobs.js';
import { planDrain } from '../plan/drain.js';
import { mayClearUp, waitsOnCutLink, waitsOnUnreachable } from '../plan/leftover-text.js';
import { drainClaim } from '../plan/maintenance-claims.js';
import { lostHost } from '../plan/lost-host.js';
import { andList } from '../../shared/text/and-list.js';
import { accounted, alarmText, beyondRemain, downText, leftUnderAlarm, nothingRemains, watchDrain } from './drain-account.js';
import { claimFailed, failure, maintenanceHost, refusal, leftoverCode, moveContexts, remainingText, runScheduled, stepOf, stoppedCode, success, waitFor, type Ending, type JobEnv } from './job-env.js';
import type { JobRun } from './job-run.js';
import { claimForJob, type MaintenanceLease } from './maintenance-lease.js';
import type { Limits } from './settings.js';

type DrainRequest = Extract<JobRequest, { kind: 'drain' }>;

export const stayNote = (host: string): string =>
  `${host} stays draining (out of service: never a migration target, its guarded autostart starts nothing) until \`xenherdctl drain ${host}\` finishes it, \`xenherdctl restore ${host}\` or \`xenherdctl maintenance ${host} off\``;

/** --max-parallel N: this drain may run N migrations out of its host, and N in the fleet. */
export const limitsWith = (base: Limits, maxParallel: number | null): Limits => (maxParallel === null ? base : { ...base, perSource: maxParallel, global: maxParallel });

/**
 * online → draining → maintenance. Plans first and refuses a drain that cannot finish unless
 * --allow-partial; takes the host's flag (continuing the drain it names, after a controller
 * restart); moves every domU off; sets maintenance once the agent reports nothing running. A
 * drain that cannot finish leaves the host draining — out of service, never silently online.
 * Whatever the ending, it tells the truth of every domU of the host (drain-account.ts): the
 * guarded ones that run nowhere (lost with it mid-drain, say: "empty" alone would hide them, and
 * the host's autostart starts none of them while it is out of service), a move that ended as an
 * ALARM with the domU running on its target or nowhere (not "remains" on the host), and the moves
 * that counted but that a ledger keeps as an ALARM, whether the drain finished or not. Moves held
 * by an ALARM a ledger keeps do not keep the host draining once it runs nothing: it is set in
 * maintenance, and the ending (not ok) names them as unsettled.
 */
export async function runDrain(env: JobEnv, job: JobRun, req: DrainRequest): Promise<Ending> {
  const { port } = env;
  const host = req.host;
  const f0 = port.facts();
  const usable = maintenanceHost(host, f0);
  if (!usable.ok) return refusal(job, usable.ending);
  const h = usable.host;
  // where its domUs ran now, so that one lost later is named with the place it was lost
  const watch = watchDrain(port, [host]);
  if (h.maintenance.state === 'maintenance' && f0.domusOn(host).length === 0) {
    const { down } = watch.accountOf({ moved: [], leftovers: [] }, () => true);
    if (down.length === 0) return success(`${host} is already empty and in maintenance`);
    return failure(leftoverCode(down), `${host} is already empty and in maintenance, but ${downText([host], down)}`, down);
  }
  const limits = limitsWith(env.settings.limits, req.maxParallel);
  // the plan shown and each step the executor runs keep off the hosts other drains empty, as they are now
  const plan = planDrain(f0, [host], { ...env.policy, limits, coldFallback: req.coldFallback, emptiedElsewhere: env.drainsElsewhere(job) });
  job.emit({ type: 'plan', plan });
  // what may clear up on its own (a migration ending, a resync) is waited for, not refused; a Dom0
  // whose link is down now may be powered off, and a DRBD pair whose link is cut comes back with
  // the network: neither is worth the host out of service meanwhile
  const stuck = plan.leftovers.filter((l) => !mayClearUp(l) || waitsOnUnreachable(l) || waitsOnCutLink(l));
  if (stuck.length > 0 && !req.allowPartial) {
    return refusal(job, failure('XH_ERR_REFUSED', `${stuck.length} domU(s) cannot leave ${host}, so the drain would not finish; nothing was changed (--allow-partial drains the rest): ${remainingText(stuck)}`, stuck));
  }
  const claim = drainClaim(h.maintenance, port.newId());
  job.operationId = claim.operationId;
  const { lease, claimed } = await claimForJob(env, job, host, claim);
  try {
    if (!claimed.ok) return claimFailed(job, claimed.error);
    job.emit({ type: 'note', level: 'info', line: claim.resumes ? `continuing drain operation ${claim.operationId} of ${host}` : `${host} is draining (operation ${claim.operationId}): it takes no new domUs and starts nothing` });

    const deadline = req.timeoutMs === null ? null : job.startedAt + req.timeoutMs;
    const end = await runScheduled(
      env,
      job,
      {
        step: (f) => stepOf(planDrain(f, [host], { ...env.policy, creditDepartures: false, coldFallback: req.coldFallback, emptiedElsewhere: env.drainsElsewhere(job) })),
        limits,
        contextFor: moveContexts(env, job, 'drain', () => claim.operationId, req.coldFallback),
      },
      deadline,
    );
    const moved = end.moved.length;
    const account = () => watch.accountOf(end, () => claim.resumes);
    // --timeout only stops new moves from starting: when the last move ended after it ran out,
    // nothing is left to start and the drain is done all the same. A move that ended in an ALARM a
    // ledger keeps, its domU off HOST (at its target, or nowhere), does not keep HOST draining: HOST
    // runs nothing of it, so it goes to maintenance, and the ending names the ALARM for a person
    if ((end.stoppedBy === null || end.stoppedBy === 'timeout') && nothingRemains(port, account())) {
      const m = await toMaintenance(env, job, lease, host, claim.operationId);
      // a move that counted, but that a ledger keeps as an ALARM: the drain names it for a person
      const a = account();
      const named = accounted(a);
      const but = beyondRemain([host], a);
      if (m.ok) {
        if (named.length === 0) return success(`${host} is empty and in maintenance (${moved} domU(s) moved)`, moved);
        return failure(leftoverCode(named), `${host} is empty and in maintenance (${moved} domU(s) moved), but ${but.join('; and ')}`, named, moved);
      }
      await lease.release();
      return failure(m.code, [m.message, stayNote(host), ...but].join('; '), named, moved);
    }
    if (abandons(end.stoppedBy)) lease.stop();
    else await lease.release();
    const why = end.stoppedBy === 'timeout' ? 'the drain ran out of time' : end.stoppedBy === 'cancelled' ? 'the drain was cancelled' : abandons(end.stoppedBy) ? 'the drain was stopped' : 'the drain could not finish';
    const a = account();
    const remaining = accounted(a);
    const code = stoppedCode(end.stoppedBy, remaining);
    const alsoDown = a.down.length === 0 ? '' : `, and ${a.down.length} guarded domU(s) of ${host} run nowhere (${a.down.map((l) => l.name).join(', ')})`;
    // after the stay note, as the leftovers say them: where a domU that left runs under its ALARM, and the moves a ledger keeps as one
    const more = [...leftUnderAlarm([host], a), alarmText(a.alarms)].filter((x) => x !== '');
    // every domU gone but one held by an ALARM: nothing remains, and the ALARM (in `more`) is why it stays draining
    // a Dom0 taken as gone runs nothing heard: its domUs are not said to "remain" there (plan/lost-host.ts)
    const lost = a.remain.length === 0 ? null : lostHost(port.facts(), host);
    const remain =
      a.remain.length === 0
        ? `no domU remains on ${host}`
        : lost !== null
          ? `${lost.words}, and ${a.remain.length} domU(s) of it run on no Dom0 heard from (${andList(a.remain.map((l) => l.name))}): if ${host} is down, they are down with it; each leftover says what to look at and where it may start`
          : `${a.remain.length} domU(s) remain on ${host}`;
    return failure(code, [`${why}: ${remain} (${moved} moved)${alsoDown}`, stayNote(host), ...more].join('; '), remaining, moved);
  } finally {
    // whatever the ending, this job renews nothing any more (a release above already ended the lease)
    lease.stop();
  }
}

/**
 * draining → maintenance. The agent refuses while its xl list shows anything: the fleet view may
 * lag the last arrival, so a refusal is asked again after the next report, a few times.
 */
async function toMaintenance(env: JobEnv, job: JobRun, lease: MaintenanceLease, host: string, operationId: string): Promise<{ ok: true } | { ok: false; code: ErrorCode; message: string }> {
  let last = '';
  for (let i = 0; i < 5; i++) {
    const r = await lease.set({ state: 'maintenance', operationId, from: ['draining'], resumes: true });
    if (r.ok) {
      job.emit({ type: 'host', host, maintenance: r.value });
      return { ok: true };
    }
    last = r.error.message;
    if (r.error.code !== 'XH_ERR_REFUSED') return { ok: false, code: r.error.code, message: last };
    const before = env.port.record(host)?.state;
    await waitFor(env, job, () => env.port.record(host)?.state !== before, env.settings.quietMs * 5);
  }
  return { ok: false, code: 'XH_ERR_REFUSED', message: last };
}
