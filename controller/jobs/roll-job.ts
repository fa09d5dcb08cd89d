import { ONLINE } from '../../shared/protocol/agent-link-values.js';
import type { JobRequest, Move } from '../../shared/protocol/ctl-jobs.js';
import type { XhError } from '../../shared/errors.js';
import { restoreClaim, restoreEndClaim } from '../plan/maintenance-claims.js';
import { planRestore } from '../plan/restore.js';
import { rollResume, withBootMark, type RollResume } from '../plan/roll-resume.js';
import { alarmText, type DrainAccount } from './drain-account.js';
import { failure, leftoverCode, refusal, moveContexts, remainingText, runScheduled, stoppedCode, success, type Ending, type JobEnv } from './job-env.js';
import type { JobRun, LostFlag } from './job-run.js';
import { MaintenanceLease } from './maintenance-lease.js';
import { rollInSlices, stoppedWhilePlanning } from './plan-in-slices.js';
import { awaitReboots, drainGroup, doneNote, rebootedText, resumeNote } from './roll-group.js';
import { RollProgress } from './roll-progress.js';
import { rollStartRefusal } from './roll-unheard.js';
import { withUnsettled } from './unsettled-moves.js';
import { afterHostNamed } from '../../shared/text/after-host-named.js';

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
 * Asked again after it stopped, it takes each host up where the roll left it (roll-resume.ts): a
 * host restoring, or rebooted since the roll emptied it, is restored, never drained or asked to
 * reboot again; one empty and in maintenance waits for its reboot without a drain; one this roll
 * finished before it stopped (roll-progress.ts: its agent still reports the boot it came back
 * with) is in no group, skipped. Completed, the roll keeps nothing of it.
 */
export async function runRoll(env: JobEnv, job: JobRun, req: RollRequest): Promise<Ending> {
  const { port } = env;
  const f0 = port.facts();
  const refused = await rollStartRefusal(port.clock, f0, req.hosts, { ...env.policy, coldFallback: req.coldFallback });
  if (refused !== null) return refusal(job, failure(refused.code, refused.message));
  const progress = new RollProgress(env, job, req.hosts);
  // another controller's roll cut on these Dom0s (a standby taking over): its record is not here
  const foreign = progress.foreignRoll();
  if (foreign !== null) return refusal(job, failure('XH_ERR_REFUSED', foreign));
  const steps = progress.steps();
  const done = steps.filter((s) => s.step === 'done').map((s) => s.host);
  const toRoll = steps.filter((s) => s.step !== 'done').map((s) => s.host);
  // in slices, as `plan roll` is: a roll of 255 Dom0s took 2.5 s to plan in one go
  const plan = toRoll.length === 0 ? { kind: 'roll' as const, groups: [], leftovers: [] } : await rollInSlices(port.clock, f0, toRoll, { ...env.policy, coldFallback: req.coldFallback }, req.groupSize ?? null);
  job.emit({ type: 'plan', plan: { ...plan, steps } });
  for (const h of done) job.emit({ type: 'note', level: 'info', line: doneNote(h, progress.mark(h) as string) });
  if (plan.leftovers.length > 0) return refusal(job, failure('XH_ERR_REFUSED', `not every host can be drained; nothing was changed: ${remainingText(plan.leftovers)}`, plan.leftovers));
  const stopped = stoppedWhilePlanning(job, 'roll');
  if (stopped !== null) return stopped;
  const deadline = req.timeoutMs === null ? null : job.startedAt + req.timeoutMs;
  job.operationId = port.newId();
  let moved = 0;
  const allLeases: MaintenanceLease[] = [];
  // the hosts that came back from their reboot in this run: a stop after them says how to go on without redoing them
  const rebooted: string[] = [];
  // those of them kept as done (roll-progress.ts): the same roll asked again skips them
  const recorded: string[] = [];
  const groups = async (): Promise<Ending> => {
    for (const [i, group] of plan.groups.entries()) {
      const label = `group ${i + 1}/${plan.groups.length} (${group.hosts.join(', ')})`;
      // where each host stands if this roll was asked before (roll-resume.ts): a host restoring, or
      // rebooted since it was emptied, is not drained nor asked to reboot again
      const resume = new Map(group.hosts.map((h) => [h, rollResume(port.facts().host(h)?.maintenance ?? ONLINE, port.record(h)?.bootId ?? null)]));
      const toDrain = group.hosts.filter((h) => resume.get(h)?.step === 'drain');
      const leases = new Map<string, MaintenanceLease>();
      const lost = (l: LostFlag): void => job.loseFlag(l);
      for (const host of group.hosts) {
        const lease = new MaintenanceLease(port, env.settings, host, job.by, lost);
        allLeases.push(lease);
        leases.set(host, lease);
        const note = resumeNote(host, resume.get(host) as RollResume, port.facts().host(host)?.maintenance.operationId ?? null);
        if (note !== null) job.emit({ type: 'note', level: 'info', line: `${label}: ${note}` });
      }
      // the boot each host must come back from: the one it had when emptied by this roll
      const boots = new Map<string, string | null>();
      for (const [h, r] of resume) if (r.step === 'reboot') boots.set(h, r.bootId);
      let account: (() => DrainAccount) | null = null;
      if (toDrain.length > 0) {
        job.emit({ type: 'note', level: 'info', line: `${label}: draining` });
        const drained = await drainGroup(env, job, req, label, toDrain, leases, deadline, moved);
        moved = drained.moved;
        if (!drained.ok) return drained.ending;
        for (const h of toDrain) boots.set(h, drained.bootIds.get(h) ?? null);
        account = drained.account;
      }
      const toReboot = group.hosts.filter((h) => boots.has(h));
      if (toReboot.length > 0) {
        const notBack = await awaitReboots(env, job, req, label, toReboot, boots, deadline, moved, account);
        if (notBack !== null) return notBack;
      }
      rebooted.push(...group.hosts);
      job.emit({ type: 'note', level: 'info', line: `${label}: back; restoring` });
      const restoreOps = new Map<string, string>();
      for (const host of group.hosts) {
        // marked with the boot it came back on: a rerun continues this restore, not one an operator began (roll-resume.ts)
        const claim = restoreClaim(port.facts().host(host)?.maintenance ?? { state: 'maintenance', operationId: null, owner: null }, withBootMark(port.newId(), port.record(host)?.bootId ?? null));
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
      const notOnline: { host: string; error: XhError }[] = [];
      for (const host of group.hosts) {
        const r = await (leases.get(host) as MaintenanceLease).set(restoreEndClaim(restoreOps.get(host) as string));
        if (r.ok) job.emit({ type: 'host', host, maintenance: r.value });
        else notOnline.push({ host, error: r.error });
      }
      // the restore's moves a ledger keeps as an ALARM (the DRBD link lost in a handover home): named
      // as a drain names them; the roll stops for a person, as the next group may hold the other disk
      const { alarms, leftovers, left } = withUnsettled(port, restored);
      // a host left restoring is out of service (no migration target, no guarded autostart): the
      // roll has not finished it, whatever came home; the same roll asked again ends its restore
      const first = notOnline[0];
      if (first !== undefined) {
        const why = notOnline.map((n) => `${n.host} is left restoring, as setting it online failed: ${afterHostNamed(n.error.message, n.host)}`).join('; ');
        return failure(first.error.code, `${label}: ${why}; the same roll asked again continues ${notOnline.length === 1 ? 'its' : 'their'} restore and sets ${notOnline.length === 1 ? 'it' : 'them'} online (or \`xenherdctl maintenance ${first.host} off\`)`, left, moved);
      }
      if (restored.stoppedBy !== null || leftovers.length > 0) {
        const also = alarms.length === 0 ? '' : `; ${alarmText(alarms)}`;
        return failure(stoppedCode(restored.stoppedBy, left), `${label}: back online, but not every domU is home: ${remainingText(leftovers) || restored.stoppedBy}${also}`, left, moved);
      }
      if (alarms.length > 0) return failure(leftoverCode(alarms), `${label}: back online and every domU is home, but ${alarmText(alarms)}; the roll stops here`, alarms, moved);
      if (progress.done(group.hosts)) recorded.push(...group.hosts);
    }
    progress.completed();
    const skipped = done.length === 0 ? '' : ` (${done.join(', ')} rolled before it stopped, skipped)`;
    return success(`rolled ${toRoll.length} host(s) in ${plan.groups.length} group(s)${skipped}; every domU is home (${moved} moves)`, moved);
  };
  try {
    const ending = await groups();
    return ending.ok ? ending : { ...ending, message: `${ending.message}${rebootedText(rebooted, req.hosts, recorded)}` };
  } finally {
    // nothing renews after the roll ends (releases above already ended the leases they could)
    for (const l of allLeases) l.stop();
  }
}
