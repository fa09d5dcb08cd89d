import type { DrbdResourceView } from '../../shared/inventory.js';
import { nextRandom } from '../../shared/random.js';
import { jitteredMs, retryDelayMs } from './delays.js';
import { log } from './effects.js';
import { notStarted, STOPPED_BY_OPERATOR, withJob } from './start-queue.js';
import type { AgentState, StartJob } from './state.js';
import { snapshotOf } from './status.js';
import { arm, type Fx } from './timers.js';

/**
 * The claim before an `xl create`: when the Dom0s of a pair both hold a domU's config in their
 * guarded dirs and boot together, each sees the peer Secondary and would start it: two running
 * copies on one disk. DRBD with two primaries allowed (live migration needs that) lets both
 * promote, but makes each promotion a state change both nodes agree on, so one of the two sees
 * the other Primary when it reads again right after its own. So: take the resources Primary,
 * read them again, and only then create; a host that sees the peer Primary gives its resources
 * back, and both stand back for a random while (the one that waits less then finds the peer
 * Secondary and starts it; the other then sees it running there and leaves it).
 */

/** how long both hosts stand back after a clash: 1 to 6 s, random on each */
const BACKOFF_MS = 3_500;
const BACKOFF_JITTER_MS = 2_500;

/** The job's next step after its re-check allowed the start: a claim, or the create itself when it has no DRBD disks. */
export function claimOrCreate(s: AgentState, fx: Fx, job: StartJob, resources: readonly string[], now: number): AgentState {
  if (resources.length === 0 || s.drbd.availability !== 'ok') return create(s, fx, job, []);
  const views = snapshotOf(s, now).drbd.resources;
  const promote = resources.filter((r) => views.get(r)?.role !== 'Primary');
  fx.push({ e: 'claim', name: job.name, configPath: job.configPath, pid: s.pid, promote, check: [...resources] });
  return withJob(s, job.name, (j) => ({ ...j, phase: 'claiming' }));
}

function create(s: AgentState, fx: Fx, job: StartJob, claimed: readonly string[]): AgentState {
  if (s.toolstack === null) return giveUp(s, fx, job, claimed, `no toolstack (xl/xm) answers on this host${s.toolstackProblem === null ? '' : `: ${s.toolstackProblem}`}`);
  fx.push({ e: 'create', name: job.name, configPath: job.configPath, toolstack: s.toolstack, claimed: [...claimed] });
  return withJob(s, job.name, (j) => ({ ...j, phase: 'creating', claimed }));
}

/**
 * The start ends here: why is logged (and answered to a waiting --force), and what the claim made
 * Primary is given back (releasing, below).
 */
function giveUp(s: AgentState, fx: Fx, job: StartJob, promoted: readonly string[], why: string): AgentState {
  const n = notStarted(s, fx, job, why);
  return promoted.length === 0 ? n : releasing(n, fx, job, promoted, 'decide');
}

/**
 * A job that only gives RESOURCES back (drbdadm secondary), kept until DRBD has taken them: while
 * it stands nothing decides on the domU (its resources are Primary here because of us, which a
 * decision would read as "something else holds it"); a failed release is tried again, with
 * backoff. THEN: what follows: decide again, or the random wait after a clash.
 */
export function releasing(s: AgentState, fx: Fx, job: StartJob, resources: readonly string[], then: 'decide' | 'backoff'): AgentState {
  fx.push({ e: 'release', name: job.name, resources: [...resources] });
  const jobs = s.jobs.filter((j) => j.name !== job.name);
  return { ...s, jobs: [...jobs, { name: job.name, configPath: job.configPath, forced: null, replyTo: null, phase: 'releasing', claimed: [...resources], releaseThen: then, releaseTries: 0, releaseRunning: true }] };
}

const peerPrimary = (v: DrbdResourceView): boolean => v.peers.some((p) => p.role === 'Primary') || v.peerRole === 'Primary';

export function onClaimed(s: AgentState, fx: Fx, name: string, promoted: readonly string[], views: ReadonlyMap<string, DrbdResourceView>, problem: string | null): AgentState {
  const job = s.jobs.find((j) => j.name === name && j.phase === 'claiming');
  // no job (the agent stopped meanwhile): the start record is left for the next agent to release
  if (!job) return s;
  if (s.phase === 'stopping' || s.phase === 'stopped') return giveUp(s, fx, job, promoted, 'the agent is stopping');
  if (job.forced === null && !s.enabled) return giveUp(s, fx, job, promoted, STOPPED_BY_OPERATOR);
  if (problem !== null) return giveUp(s, fx, job, promoted, `taking its DRBD resources Primary right before starting failed: ${problem}`);
  const clash = [...views.values()].filter(peerPrimary).map((v) => v.name);
  if (clash.length === 0) return create(s, fx, job, promoted);
  const detail = `DRBD resource ${clash.join(', ')} is Primary on the peer too, right after this host took it: the peer is starting or running ${name}`;
  if (job.forced !== null) return giveUp(s, fx, job, promoted, `refused: ${detail}`);
  fx.push(log('warn', `not starting ${name} now: ${detail}; giving its resources back, then deciding again after a random 1 to 6 s`, { domu: name, resources: clash }));
  return promoted.length === 0 ? backOff(s, fx, name) : releasing(s, fx, job, promoted, 'backoff');
}

/** Both hosts stand back for a random while (the one that waits less starts the domU). */
function backOff(s: AgentState, fx: Fx, name: string): AgentState {
  const r = nextRandom(s.rng);
  const ms = Math.round(jitteredMs(BACKOFF_MS, BACKOFF_JITTER_MS, r.value));
  const waiting = withJob({ ...s, rng: r.state }, name, (j) => ({ ...j, phase: 'backing-off', claimed: [] }));
  return arm(waiting, fx, `claim:${name}`, ms);
}

/**
 * A release ended: PROBLEMS empty when DRBD took every resource back. A stopping agent tries no
 * more and waits for nothing after it: the job goes, and what DRBD refused stays named in the
 * domU's start record, which the next agent gives back at its start (run/agent-core.ts).
 */
export function onReleased(s: AgentState, fx: Fx, name: string, problems: readonly string[]): AgentState {
  const job = s.jobs.find((j) => j.name === name && j.phase === 'releasing');
  if (!job) return s;
  if (s.phase === 'stopping' || s.phase === 'stopped') {
    if (problems.length > 0) fx.push(log('warn', `${name} was not started, but its DRBD resources stay Primary here: ${problems.join('; ')}; the agent is stopping: the next one gives them back at its start`, { domu: name, code: 'XH_ERR_TOOL_FAILED' }));
    return withJob(s, name, () => null);
  }
  if (problems.length > 0) {
    const tries = (job.releaseTries ?? 0) + 1;
    const ms = retryDelayMs(tries, 2_000, 60_000);
    fx.push(log('warn', `${name} was not started, but its DRBD resources stay Primary here: ${problems.join('; ')}; trying again in ${ms / 1000} s`, { domu: name, code: 'XH_ERR_TOOL_FAILED', tries }));
    return arm(withJob(s, name, (j) => ({ ...j, releaseTries: tries, releaseRunning: false })), fx, `release:${name}`, ms);
  }
  if (job.releaseThen === 'backoff') return backOff(s, fx, name);
  return { ...withJob(s, name, () => null), dirty: true };
}

/** The wait after a failed release is over: ask DRBD again. */
export function onReleaseRetry(s: AgentState, fx: Fx, name: string): AgentState {
  const job = s.jobs.find((j) => j.name === name && j.phase === 'releasing');
  if (job?.claimed === undefined) return s;
  fx.push({ e: 'release', name, resources: [...job.claimed] });
  return withJob(s, name, (j) => ({ ...j, releaseRunning: true }));
}

/** The random wait after a clash is over: the job goes, and the domU is decided again. */
export function onClaimBackoffEnd(s: AgentState, name: string): AgentState {
  if (!s.jobs.some((j) => j.name === name && j.phase === 'backing-off')) return s;
  return { ...withJob(s, name, () => null), dirty: true };
}
