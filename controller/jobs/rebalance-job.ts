import type { Blocker, JobRequest, Leftover, Move } from '../../shared/protocol/ctl-jobs.js';
import { closedHomesWords } from '../plan/closed-homes.js';
import { domuBlock, liveMoveBlock, sourceBlock, targetBlock } from '../plan/eligibility.js';
import type { PlanFacts } from '../plan/facts.js';
import { movesOf } from '../plan/job-sets.js';
import { leftover } from '../plan/leftover-text.js';
import { failure, leftoverCode, refusal, moveContexts, remainingText, runScheduled, stoppedCode, success, type Ending, type JobEnv } from './job-env.js';
import type { JobRun } from './job-run.js';
import type { StopReason } from './move-scheduler.js';
import { rebalanceInSlices, stoppedWhilePlanning } from './plan-in-slices.js';

type RebalanceRequest = Extract<JobRequest, { kind: 'rebalance' }>;

/**
 * Applies a rebalance plan as shown: its moves in order, a move starting once every earlier move
 * sharing a host or the domU has ended (the job sets), each checked against the view again right
 * before it starts (a move no longer valid is dropped with its reason). While a drain, restore or
 * roll runs in this controller, nothing new starts: it waits, it does not compete.
 */
export async function runRebalance(env: JobEnv, job: JobRun, req: RebalanceRequest): Promise<Ending> {
  const blocked = env.rebalanceBlocked();
  // in slices, as `plan rebalance` is: planning 1,000 moves at 40,000 domUs took 16 s in one go
  const facts = env.port.facts();
  const plan = await rebalanceInSlices(env.port.clock, facts, env.policy, blocked, req.maxMoves);
  job.emit({ type: 'plan', plan });
  if (blocked !== null) return refusal(job, failure('XH_ERR_REFUSED', `nothing moved: ${blocked}; rebalance again once it is done`));
  const stopped = stoppedWhilePlanning(job, 'rebalance');
  if (stopped !== null) return stopped;
  const queue = movesOf(plan.sets);
  const score = `score ${plan.scoreBefore.toFixed(3)} → ${plan.scoreAfter.toFixed(3)}`;
  // domUs the plan leaves away from their healthy home: the goal does not hold while they stay
  const stays = plan.leftovers;
  const staying = stays.length === 0 ? '' : `; ${stays.length} domU(s) stay away from home: ${remainingText(stays)}`;
  if (queue.length === 0) {
    if (stays.length === 0) return success(`the fleet is balanced: nothing to move (score ${plan.scoreBefore.toFixed(3)})${closedHomesWords(plan.closedHomes ?? [])}`);
    return failure(leftoverCode(stays), `nothing to move now (score ${plan.scoreBefore.toFixed(3)})${staying}`, stays);
  }
  const ended = new Set<string>();
  const launched = new Set<string>();
  const dropped = new Map<string, Leftover>();
  const opIds = new Map(queue.map((m) => [m.name, env.port.newId()]));
  const contexts = moveContexts(env, job, 'rebalance', (m) => opIds.get(m.name) ?? env.port.newId(), false);

  const step = (f: PlanFacts): { moves: Move[]; leftovers: Leftover[] } => {
    const ready: Move[] = [];
    const busy = new Set<string>();
    for (const m of queue) {
      if (ended.has(m.name)) continue;
      const keys = [`h:${m.from}`, `h:${m.to}`, `d:${m.name}`];
      const waits = keys.some((k) => busy.has(k));
      for (const k of keys) busy.add(k);
      if (waits) continue;
      if (!launched.has(m.name)) {
        const why = invalidNow(f, m, env.settings.reserveMiB);
        if (why !== null) {
          ended.add(m.name);
          if (why !== 'gone') dropped.set(m.name, leftover(m.name, m.from, why));
          for (const k of keys) busy.delete(k);
          continue;
        }
      }
      ready.push(m);
    }
    return { moves: ready, leftovers: [...dropped.values()] };
  };
  const end = await runScheduled(
    env,
    job,
    {
      step,
      limits: env.settings.limits,
      paused: () => env.rebalanceBlocked(),
      contextFor: (m, stopping: () => StopReason | null) => {
        launched.add(m.name);
        return contexts(m, stopping);
      },
      onEnded: (m) => ended.add(m.name),
    },
    req.timeoutMs === null ? null : job.startedAt + req.timeoutMs,
  );
  const moved = end.moved.length;
  if (end.stoppedBy === null && end.leftovers.length === 0 && stays.length === 0) return success(`${moved} move(s) applied; ${score}`, moved);
  const remaining = [...end.leftovers, ...stays];
  const code = stoppedCode(end.stoppedBy, remaining);
  const notApplied = end.leftovers.length === 0 ? '' : `; not applied: ${remainingText(end.leftovers)}`;
  return failure(code, `${moved} of ${queue.length} move(s) applied${end.stoppedBy === null && end.leftovers.length === 0 ? `; ${score}` : ''}${notApplied}${staying}`, remaining, moved);
}

/** Why a planned move cannot start now; 'gone' when the domU is no longer where the plan saw it. */
function invalidNow(f: PlanFacts, m: Move, reserveMiB: number): Blocker | 'gone' | null {
  const d = f.domu(m.name);
  if (!d || (d.host !== m.from && !d.midMigration)) return 'gone';
  const own = domuBlock(d);
  if (own) return own;
  const src = sourceBlock(f.host(m.from));
  if (src) return { kind: 'source-unavailable', host: m.from, why: src };
  // a Dom0 rebooted since the plan may run another toolstack or an older Xen: the tools would refuse
  const dst = targetBlock(f.host(m.to)) ?? liveMoveBlock(f.host(m.from), f.host(m.to));
  if (dst) return { kind: 'targets-unavailable', targets: [{ host: m.to, why: dst }] };
  const free = f.host(m.to)?.freeMiB ?? 0;
  if (free - reserveMiB < m.memMiB) return { kind: 'no-memory', needMiB: m.memMiB, reserveMiB, best: { host: m.to, freeMiB: free } };
  return null;
}
