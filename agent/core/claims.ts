import type { DrbdResourceView } from '../../shared/inventory.js';
import { nextRandom } from '../../shared/random.js';
import { jitteredMs } from './delays.js';
import { log } from './effects.js';
import { notStarted, STOPPED_BY_OPERATOR, withJob } from './starts.js';
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
  fx.push({ e: 'claim', name: job.name, promote, check: [...resources] });
  return withJob(s, job.name, (j) => ({ ...j, phase: 'claiming' }));
}

function create(s: AgentState, fx: Fx, job: StartJob, claimed: readonly string[]): AgentState {
  if (s.toolstack === null) return release(notStarted(s, fx, job, 'no toolstack (xl/xm) answers on this host'), fx, job.name, claimed);
  fx.push({ e: 'create', name: job.name, configPath: job.configPath, toolstack: s.toolstack });
  return withJob(s, job.name, (j) => ({ ...j, phase: 'creating', claimed }));
}

/** Gives back what a claim made Primary for a start that does not happen. */
export function release(s: AgentState, fx: Fx, name: string, resources: readonly string[] | undefined): AgentState {
  if (resources !== undefined && resources.length > 0) fx.push({ e: 'release', name, resources: [...resources] });
  return s;
}

const peerPrimary = (v: DrbdResourceView): boolean => v.peers.some((p) => p.role === 'Primary') || v.peerRole === 'Primary';

export function onClaimed(s: AgentState, fx: Fx, name: string, promoted: readonly string[], views: ReadonlyMap<string, DrbdResourceView>, problem: string | null): AgentState {
  const job = s.jobs.find((j) => j.name === name && j.phase === 'claiming');
  if (!job) return release(s, fx, name, promoted);
  const back = (n: AgentState): AgentState => release(n, fx, name, promoted);
  if (s.phase === 'stopping' || s.phase === 'stopped') return back(notStarted(s, fx, job, 'the agent is stopping'));
  if (job.forced === null && !s.enabled) return back(notStarted(s, fx, job, STOPPED_BY_OPERATOR));
  if (problem !== null) return back(notStarted(s, fx, job, `taking its DRBD resources Primary right before starting failed: ${problem}`));
  const clash = [...views.values()].filter(peerPrimary).map((v) => v.name);
  if (clash.length === 0) return create(s, fx, job, promoted);
  const detail = `DRBD resource ${clash.join(', ')} is Primary on the peer too, right after this host took it: the peer is starting or running ${name}`;
  if (job.forced !== null) return back(notStarted(s, fx, job, `refused: ${detail}`));
  const r = nextRandom(s.rng);
  const ms = Math.round(jitteredMs(BACKOFF_MS, BACKOFF_JITTER_MS, r.value));
  fx.push(log('warn', `not starting ${name} now: ${detail}; deciding again in ${(ms / 1000).toFixed(1)} s`, { domu: name, resources: clash, backoffMs: ms }));
  const waiting = withJob({ ...s, rng: r.state }, name, (j) => ({ ...j, phase: 'backing-off', claimed: [] }));
  return back(arm(waiting, fx, `claim:${name}`, ms));
}

/** The random wait after a clash is over: the job goes, and the domU is decided again. */
export function onClaimBackoffEnd(s: AgentState, name: string): AgentState {
  if (!s.jobs.some((j) => j.name === name && j.phase === 'backing-off')) return s;
  return { ...withJob(s, name, () => null), dirty: true };
}
