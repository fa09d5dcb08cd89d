import { noAgentMessage } from '../fleet/no-agent-message.js';
import { CAPABILITY } from '../../shared/protocol/agent-link.js';
import type { JobRequest, Leftover, Move } from '../../shared/protocol/ctl-jobs.js';
import { isReachable } from '../fleet/host-record.js';
import { planDrain } from '../plan/drain.js';
import { drainClaim, restoreClaim, restoreEndClaim } from '../plan/maintenance-claims.js';
import { planRestore } from '../plan/restore.js';
import { accounted, alarmText, beyondRemain, downText, watchDrain } from './drain-account.js';
import { limitsWith, stayNote } from './drain-job.js';
import { failure, leftoverCode, moveContexts, remainingText, runScheduled, stepOf, success, waitFor, type Ending, type JobEnv } from './job-env.js';
import type { JobRun } from './job-run.js';
import { MaintenanceLease } from './maintenance-lease.js';
import { rollInSlices, stoppedWhilePlanning } from './plan-in-slices.js';
import { withUnsettled } from './unsettled-moves.js';

type RollRequest = Extract<JobRequest, { kind: 'roll' }>;

/**
 * Rolling maintenance: the roll plan's groups one after the other — drain the group (its hosts
 * at once, within the limits), set each in maintenance, ask for the reboot (`reboot` event: the
 * operator's xenherdctl runs the reboot command, or someone reboots them), wait for every host of
 * the group to come back with a new boot id, restore the group, then the next. It stops at the
 * first group that does not finish, leaving that group out of service, and says what remains.
 * Each group's drain ends with the truth about every domU of its hosts, as a drain does
 * (drain-account.ts): a guarded one lost with its Dom0 mid-roll (a power loss mid-copy) is named
 * as running nowhere, with its fix, and stops the roll before the group's reboot; the roll's
 * restore would only bring the host online, and "every domU is home" would be false. A move of
 * the group's restore that a ledger keeps as an ALARM is named the same way, and stops the roll.
 */
export async function runRoll(env: JobEnv, job: JobRun, req: RollRequest): Promise<Ending> {
  const { port } = env;
  const f0 = port.facts();
  for (const host of req.hosts) {
    const h = f0.host(host);
    if (!h?.record.state) return failure('XH_ERR_NOT_FOUND', noAgentMessage([host], f0.hostNames()));
    if (!h.reachable) return failure('XH_ERR_AGENT_UNREACHABLE', `the agent of ${host} is not connected (or silent): nothing was changed`);
    if (!h.capabilities.includes(CAPABILITY.maintenance)) return failure('XH_ERR_REFUSED', `the agent of ${host} keeps no maintenance flag: upgrade it`);
  }
  // in slices, as `plan roll` is: a roll of 255 Dom0s took 2.5 s to plan in one go
  const plan = await rollInSlices(port.clock, f0, req.hosts, env.policy, req.groupSize ?? null);
  job.emit({ type: 'plan', plan });
  if (plan.leftovers.length > 0) return failure('XH_ERR_REFUSED', `not every host can be drained; nothing was changed: ${remainingText(plan.leftovers)}`, plan.leftovers);
  const stopped = stoppedWhilePlanning(job, 'roll');
  if (stopped !== null) return stopped;
  const deadline = req.timeoutMs === null ? null : job.startedAt + req.timeoutMs;
  job.operationId = port.newId();
  let moved = 0;
  const allLeases: MaintenanceLease[] = [];
  try {
    for (const [i, group] of plan.groups.entries()) {
      const label = `group ${i + 1}/${plan.groups.length} (${group.hosts.join(', ')})`;
      job.emit({ type: 'note', level: 'info', line: `${label}: draining` });
      const ops = new Map<string, string>();
      const leases = new Map<string, MaintenanceLease>();
      // where the group's domUs run now, so that one lost later is named with the place it was lost
      const watch = watchDrain(port, group.hosts);
      const resumes = new Map<string, boolean>();
      const lost = (why: string): void => {
        job.emit({ type: 'note', level: 'warn', line: why });
        job.stop('aborted');
      };
      for (const host of group.hosts) {
        const lease = new MaintenanceLease(port, env.settings, host, job.by, lost);
        allLeases.push(lease);
        const claim = drainClaim(port.facts().host(host)?.maintenance ?? { state: 'online', operationId: null, owner: null }, port.newId());
        const r = await lease.set(claim);
        if (!r.ok) {
          for (const l of leases.values()) await l.release();
          return failure(r.error.code, `${label}: ${r.error.message}`, [], moved);
        }
        ops.set(host, claim.operationId);
        resumes.set(host, claim.resumes);
        leases.set(host, lease);
        job.emit({ type: 'host', host, maintenance: r.value });
      }
      const drained = await runScheduled(
        env,
        job,
        {
          step: (f) => stepOf(planDrain(f, group.hosts, { ...env.policy, creditDepartures: false })),
          limits: limitsWith(env.settings.limits, req.maxParallel),
          contextFor: moveContexts(env, job, 'drain', (m: Move) => ops.get(m.from) ?? (job.operationId as string), req.coldFallback),
        },
        deadline,
      );
      moved += drained.moved.length;
      const account = () => watch.accountOf(drained, (h) => resumes.get(h) ?? false);
      const notEmpty = async (why: string, code: Parameters<typeof failure>[0], left: readonly Leftover[]): Promise<Ending> => {
        for (const l of leases.values()) await l.release();
        return failure(code, `${label}: ${why}; ${group.hosts.map(stayNote).join('; ')}`, left, moved);
      };
      if (drained.stoppedBy !== null || drained.leftovers.length > 0) {
        const a = account();
        const left = accounted(a);
        const down = a.down.length === 0 ? '' : `; ${downText(group.hosts, a.down)}`;
        return notEmpty(`the drain did not finish (${remainingText([...a.remain, ...a.held, ...a.nowhere, ...a.alarms]) || drained.stoppedBy})${down}`, drained.stoppedBy === 'timeout' ? 'XH_ERR_TIMEOUT' : leftoverCode(left), left);
      }
      for (const host of group.hosts) {
        const r = await (leases.get(host) as MaintenanceLease).set({ state: 'maintenance', operationId: ops.get(host) as string, from: ['draining'], resumes: true });
        if (!r.ok) {
          const a = account();
          return notEmpty([r.error.message, ...beyondRemain(group.hosts, a)].join('; '), r.error.code, accounted(a));
        }
        job.emit({ type: 'host', host, maintenance: r.value });
      }
      // empty, but a domU lost during this drain (with its host, say) or a move a ledger keeps as
      // an ALARM: a person first. One already down when the group's drain began (stopped on
      // purpose, or lost before the roll) does not stop it: the restore brings its host online.
      const truth = account();
      if (truth.alarms.length > 0 || truth.down.some((l) => watch.ranWhenBegun(l.name))) {
        const left = accounted(truth);
        return failure(leftoverCode(left), `${label}: empty and in maintenance, but ${beyondRemain(group.hosts, truth).join('; and ')}; the roll stops here, and the group stays in maintenance`, left, moved);
      }
      const boots = new Map(group.hosts.map((h) => [h, port.record(h)?.bootId ?? null]));
      job.emit({ type: 'reboot', hosts: [...group.hosts] });
      job.emit({ type: 'note', level: 'info', line: `${label}: empty and in maintenance; ${req.reboot === 'command' ? 'xenherdctl runs the reboot command' : 'reboot them now'}; waiting for each to come back with a new boot id` });
      const back = (): boolean =>
        group.hosts.every((h) => {
          const r = port.record(h);
          return r !== undefined && r.bootId !== boots.get(h) && r.state !== null && isReachable(r, port.clock.now(), port.staleAfterMs);
        });
      const waitMs = Math.min(env.settings.rebootWaitMs, deadline === null ? Number.POSITIVE_INFINITY : Math.max(0, deadline - port.clock.now()));
      const waitFrom = port.clock.now();
      if (!(await waitFor(env, job, back, waitMs))) {
        const missing = group.hosts.filter((h) => port.record(h)?.bootId === boots.get(h));
        const who = missing.join(', ') || 'some host';
        // a cancel ends the wait early: say so, and how long it was, not the limit it never reached
        const stop = job.stopReason;
        const ended = stop === 'cancelled' ? 'was cancelled' : stop === 'timeout' ? 'ran out of its --timeout' : 'was stopped (the controller is shutting down)';
        const why = stop === null ? `did not come back with a new boot id within ${Math.round(waitMs / 1000)} s` : `had not come back with a new boot id when the roll ${ended}, after ${Math.round((port.clock.now() - waitFrom) / 1000)} s of waiting`;
        const a = account();
        return failure(stop === null || stop === 'timeout' ? 'XH_ERR_TIMEOUT' : 'XH_ERR_REFUSED', [`${label}: ${who} ${why}; the group stays in maintenance`, ...beyondRemain(group.hosts, a)].join('; '), accounted(a), moved);
      }
      job.emit({ type: 'note', level: 'info', line: `${label}: back; restoring` });
      const restoreOps = new Map<string, string>();
      for (const host of group.hosts) {
        const claim = restoreClaim(port.facts().host(host)?.maintenance ?? { state: 'maintenance', operationId: null, owner: null }, port.newId());
        const r = await (leases.get(host) as MaintenanceLease).set(claim);
        if (!r.ok) return failure(r.error.code, `${label}: ${r.error.message}`, [], moved);
        restoreOps.set(host, claim.operationId);
      }
      const restored = await runScheduled(
        env,
        job,
        {
          step: (f) => {
            const plans = group.hosts.map((h) => planRestore(f, h, { ...env.policy, creditDepartures: false }));
            return { moves: plans.flatMap((p) => p.sets.flat()), leftovers: plans.flatMap((p) => p.leftovers) };
          },
          limits: env.settings.limits,
          contextFor: moveContexts(env, job, 'restore', (m: Move) => restoreOps.get(m.to) ?? (job.operationId as string), false),
        },
        deadline,
      );
      moved += restored.moved.length;
      for (const host of group.hosts) {
        const r = await (leases.get(host) as MaintenanceLease).set(restoreEndClaim(restoreOps.get(host) as string));
        if (r.ok) job.emit({ type: 'host', host, maintenance: r.value });
      }
      // the restore's moves a ledger keeps as an ALARM (the DRBD link lost in a handover home): named
      // as a drain names them; the roll stops for a person, as the next group may hold the other disk
      const { alarms, leftovers, left } = withUnsettled(port, restored);
      if (restored.stoppedBy !== null || leftovers.length > 0) {
        const also = alarms.length === 0 ? '' : `; ${alarmText(alarms)}`;
        return failure(restored.stoppedBy === 'timeout' ? 'XH_ERR_TIMEOUT' : leftoverCode(left), `${label}: back online, but not every domU is home: ${remainingText(leftovers) || restored.stoppedBy}${also}`, left, moved);
      }
      if (alarms.length > 0) return failure(leftoverCode(alarms), `${label}: back online and every domU is home, but ${alarmText(alarms)}; the roll stops here`, alarms, moved);
    }
  } finally {
    // nothing renews after the roll ends (releases above already ended the leases they could)
    for (const l of allLeases) l.stop();
  }
  return success(`rolled ${req.hosts.length} host(s) in ${plan.groups.length} group(s); every domU is home (${moved} moves)`, moved);
}
