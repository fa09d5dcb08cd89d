import { ONLINE } from '../../shared/protocol/agent-link-values.js';
import type { JobRequest, Leftover, Move } from '../../shared/protocol/ctl-jobs.js';
import { withRollMark } from '../../shared/roll-mark.js';
import { andList } from '../../shared/text/and-list.js';
import { MAINTENANCE_WORDS } from '../../shared/text/maintenance-words.js';
import { isReachable } from '../fleet/host-record.js';
import { planDrain } from '../plan/drain.js';
import { drainClaim } from '../plan/maintenance-claims.js';
import { withBootMark, type RollResume } from '../plan/roll-resume.js';
import { accounted, beyondRemain, downText, watchDrain, type DrainAccount } from './drain-account.js';
import { limitsWith, stayNote } from './drain-job.js';
import { failure, leftoverCode, moveContexts, remainingText, runScheduled, stepOf, stoppedCode, waitFor, type Ending, type JobEnv } from './job-env.js';
import type { JobRun } from './job-run.js';
import type { MaintenanceLease } from './maintenance-lease.js';
import { KEPT_FOR } from './roll-progress.js';

type RollRequest = Extract<JobRequest, { kind: 'roll' }>;

/**
 * What a stopped roll adds about the hosts REBOOTED in this run. Those RECORDED as done
 * (roll-progress.ts) are skipped by the same roll asked again; the others' flags are online again
 * with no mark of this roll (a restore that did not bring every domU home, a record not written),
 * so the same roll asked again would drain and reboot them again.
 */
export function rebootedText(rebooted: readonly string[], hosts: readonly string[], recorded: readonly string[] = []): string {
  if (rebooted.length === 0) return '';
  const rest = [...new Set(hosts)].filter((h) => !rebooted.includes(h));
  const on = rest.length === 0 ? 'no host of this roll is left to reboot' : `\`xenherdctl roll ${rest.join(' ')}\` (same options) goes on with the others`;
  const again = rebooted.filter((h) => !recorded.includes(h));
  const them = again.length === 1 ? 'it' : 'them';
  const skips = again.length === rebooted.length ? '' : `; asked again as it was (within ${KEPT_FOR}), the roll skips ${rebooted.filter((h) => recorded.includes(h)).join(', ')}`;
  const redo = again.length === 0 ? '' : ` (asked again as it was, the roll would drain and reboot ${again.length === rebooted.length ? them : again.join(', ')} again)`;
  return `; ${rebooted.join(', ')} ${rebooted.length === 1 ? 'was' : 'were'} rebooted in this roll: ${on}${skips}${redo}`;
}

/** What a roll asked again says of HOST, finished by it before it stopped and still on BOOTID. */
export const doneNote = (host: string, bootId: string): string => `${host} was rolled by this roll before it stopped and still runs the boot it came back with (boot id ${bootId}): skipped`;

/** What a roll asked again says of a host it takes up past its drain (null: a host it drains). */
export function resumeNote(host: string, r: RollResume, operationId: string | null): string | null {
  const op = operationId === null ? '' : ` (operation ${operationId})`;
  if (r.step === 'reboot') return `${host} is empty and in maintenance since this roll emptied it${op}: not drained again; its reboot is asked again`;
  if (r.step === 'restore' && r.why === 'rebooted') return `${host} came back with a new boot id since this roll emptied it${op}: not drained nor rebooted again; restoring it`;
  if (r.step === 'restore') return `${host} is restoring${op}: its reboot is done; the restore is continued, not a new drain`;
  return null;
}

export type GroupDrain = { readonly ok: true; readonly moved: number; readonly bootIds: ReadonlyMap<string, string | null>; readonly account: () => DrainAccount } | { readonly ok: false; readonly moved: number; readonly ending: Ending };

/**
 * A roll group's drain of HOSTS (those of the group not already emptied by this roll): each
 * claimed draining, emptied, then set in maintenance with the boot id it has now carried in the
 * flag's operation id (roll-resume.ts), so a roll asked again can tell that reboot from the next.
 * Its ending tells the truth of every domU of the hosts (drain-account.ts). MOVED: the roll's moves so far.
 */
export async function drainGroup(env: JobEnv, job: JobRun, req: RollRequest, label: string, hosts: readonly string[], leases: ReadonlyMap<string, MaintenanceLease>, deadline: number | null, moved: number): Promise<GroupDrain> {
  const { port } = env;
  const lease = (h: string): MaintenanceLease => leases.get(h) as MaintenanceLease;
  const ops = new Map<string, string>();
  const claimed: MaintenanceLease[] = [];
  // where the group's domUs run now, so that one lost later is named with the place it was lost
  const watch = watchDrain(port, hosts);
  const resumes = new Map<string, boolean>();
  const end = (ending: Ending): GroupDrain => ({ ok: false, moved, ending });
  for (const host of hosts) {
    // marked as the roll's (shared/roll-mark.ts): cut here, `jobs` and `check` advise the roll, not `drain HOST`
    const claim = drainClaim(port.facts().host(host)?.maintenance ?? ONLINE, withRollMark(port.newId()));
    const r = await lease(host).set(claim);
    if (!r.ok) {
      for (const l of claimed) await l.release();
      return end(failure(r.error.code, `${label}: ${r.error.message}`, [], moved));
    }
    claimed.push(lease(host));
    ops.set(host, claim.operationId);
    resumes.set(host, claim.resumes);
    job.emit({ type: 'host', host, maintenance: r.value });
  }
  const drained = await runScheduled(
    env,
    job,
    {
      step: (f) => stepOf(planDrain(f, hosts, { ...env.policy, creditDepartures: false, coldFallback: req.coldFallback, emptiedElsewhere: env.drainsElsewhere(null) })),
      limits: limitsWith(env.settings.limits, req.maxParallel),
      contextFor: moveContexts(env, job, 'drain', (m: Move) => ops.get(m.from) ?? (job.operationId as string), req.coldFallback),
    },
    deadline,
  );
  moved += drained.moved.length;
  const account = (): DrainAccount => watch.accountOf(drained, (h) => resumes.get(h) ?? false);
  const notEmpty = async (why: string, code: Parameters<typeof failure>[0], left: readonly Leftover[]): Promise<GroupDrain> => {
    for (const l of claimed) await l.release();
    return end(failure(code, `${label}: ${why}; ${hosts.map(stayNote).join('; ')}`, left, moved));
  };
  if (drained.stoppedBy !== null || drained.leftovers.length > 0) {
    const a = account();
    const left = accounted(a);
    const down = a.down.length === 0 ? '' : `; ${downText(hosts, a.down)}`;
    return notEmpty(`the drain did not finish (${remainingText([...a.remain, ...a.held, ...a.nowhere, ...a.alarms]) || drained.stoppedBy})${down}`, stoppedCode(drained.stoppedBy, left), left);
  }
  const bootIds = new Map<string, string | null>();
  for (const host of hosts) {
    const bootId = port.record(host)?.bootId ?? null;
    // the agent keeps one owner's lease per operation: the drain's is ended so the flag may take
    // the marked operation id (the state stays draining meanwhile; `from` guards the change)
    await lease(host).release();
    const r = await lease(host).set({ state: 'maintenance', operationId: withBootMark(ops.get(host) as string, bootId), from: ['draining'], resumes: true });
    if (!r.ok) {
      const a = account();
      return notEmpty([r.error.message, ...beyondRemain(hosts, a)].join('; '), r.error.code, accounted(a));
    }
    bootIds.set(host, bootId);
    job.emit({ type: 'host', host, maintenance: r.value });
  }
  // empty and in maintenance, but a domU lost during this drain (with its host, say) or a move a
  // ledger keeps as an ALARM: a person first. One already down when the group's drain began
  // (stopped on purpose, or lost before the roll) does not stop it: the restore brings its host online.
  const truth = account();
  if (truth.alarms.length > 0 || truth.down.some((l) => watch.ranWhenBegun(l.name))) {
    const left = accounted(truth);
    return end(failure(leftoverCode(left), `${label}: empty and in maintenance, but ${beyondRemain(hosts, truth).join('; and ')}; the roll stops here, and the group stays in maintenance`, left, moved));
  }
  return { ok: true, moved, bootIds, account };
}

/**
 * Asks for the reboot of HOSTS (those of the group not rebooted yet within this roll) and waits
 * for each to come back with a boot id other than the one in BOOTS. Null once they are back.
 */
export async function awaitReboots(env: JobEnv, job: JobRun, req: RollRequest, label: string, hosts: readonly string[], boots: ReadonlyMap<string, string | null>, deadline: number | null, moved: number, account: (() => DrainAccount) | null): Promise<Ending | null> {
  const { port } = env;
  job.emit({ type: 'reboot', hosts: [...hosts] });
  job.emit({ type: 'note', level: 'info', line: `${label}: empty and in maintenance; ${req.reboot === 'command' ? 'xenherdctl runs the reboot command' : 'reboot them now'}; waiting for each to come back with a new boot id` });
  const isBack = (h: string): boolean => {
    const r = port.record(h);
    return r !== undefined && r.bootId !== boots.get(h) && r.state !== null && isReachable(r, port.clock.now(), port.staleAfterMs);
  };
  // each host back while another is awaited is said, and which: the one note above stood for the
  // whole wait (up to rebootWaitMs), the hosts back idle, and only `hosts` told which was missing
  const said = new Set<string>();
  const back = (): boolean => {
    const now = hosts.filter(isBack);
    const awaited = hosts.filter((h) => !now.includes(h));
    for (const h of now.filter((x) => !said.has(x))) {
      said.add(h);
      if (awaited.length > 0) job.emit({ type: 'note', level: 'info', line: `${label}: ${h} is back (boot id ${port.record(h)?.bootId ?? '?'}); waiting for ${andList(awaited)}` });
    }
    return awaited.length === 0;
  };
  const waitMs = Math.min(env.settings.rebootWaitMs, deadline === null ? Number.POSITIVE_INFINITY : Math.max(0, deadline - port.clock.now()));
  const waitFrom = port.clock.now();
  if (await waitFor(env, job, back, waitMs)) return null;
  const missing = hosts.filter((h) => port.record(h)?.bootId === boots.get(h));
  const who = missing.join(', ') || 'some host';
  // a cancel ends the wait early: say so, and how long it was, not the limit it never reached
  const stop = job.stopReason;
  const ended = stop === 'cancelled' ? 'was cancelled' : stop === 'timeout' ? 'ran out of its --timeout' : 'was stopped (the controller is shutting down)';
  const why = stop === null ? `did not come back with a new boot id within ${Math.round(waitMs / 1000)} s` : `had not come back with a new boot id when the roll ${ended}, after ${Math.round((port.clock.now() - waitFrom) / 1000)} s of waiting`;
  const a = account?.() ?? null;
  const text = [`${label}: ${who} ${why}; the group stays ${MAINTENANCE_WORDS.maintenance}${backText(hosts.filter(isBack), hosts.filter((h) => !isBack(h)))}`, ...(a === null ? [] : beyondRemain(hosts, a))].join('; ');
  return failure(stop === null || stop === 'timeout' ? 'XH_ERR_TIMEOUT' : 'XH_ERR_REFUSED', text, a === null ? [] : accounted(a), moved);
}

/** What a roll stopped in its reboot wait says of the hosts of the group already BACK: each idle in maintenance, and how to bring it online without MISSING. */
function backText(back: readonly string[], missing: readonly string[]): string {
  if (back.length === 0 || missing.length === 0) return '';
  const one = back.length === 1;
  const restores = back.map((h) => `\`xenherdctl restore ${h}\``);
  return ` (${andList(back)} ${one ? 'is' : 'are'} back, empty: ${andList(restores)} ${one ? 'brings it' : 'bring them'} online with ${one ? 'its' : 'their'} domUs home, or this roll asked again once ${andList(missing)} ${missing.length === 1 ? 'is' : 'are'} back)`;
}
