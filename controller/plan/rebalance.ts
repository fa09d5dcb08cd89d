import type { Blocker, Leftover, Move, PlanOf } from '../../shared/protocol/ctl-jobs.js';
import { Capacity } from './capacity.js';
import { closedHomes } from './closed-homes.js';
import { drbdBlock } from './drbd-ready.js';
import { domuBlock, liveMoveBlock, sourceBlock, targetBlock } from './eligibility.js';
import type { FactDomu, PlanFacts } from './facts.js';
import { jobSets } from './job-sets.js';
import { leftover } from './leftover-text.js';
import type { PlanPolicy, RebalancePolicy } from './policy.js';
import { ScoreBoard } from './score.js';
import { everyNth, toEnd, type Steps } from './steps.js';

/** Candidates (a domU and its targets, about a microsecond) looked at between two yields. */
const CANDIDATES_PER_STEP = 64;

/**
 * Greedy rebalancing over the online hosts only (a host draining, in maintenance or
 * restoring is neither a source nor a target, and does not count in the score): each round
 * tries every movable domU on every host its disks allow, takes the single move that lowers the
 * score most, and stops when the best gain is below minGain or maxMoves is reached. Each domU
 * moves at most once per plan; one moved within the cooldown stays. `paused` (a drain runs)
 * plans nothing. A balanced fleet plans nothing. With the default weights the away penalty
 * outweighs any imbalance: a domU is never moved off its healthy home; what gets evened out are
 * the domUs without a home (or whose home is not online), and domUs away go home when they fit.
 */
export function planRebalance(facts: PlanFacts, policy: PlanPolicy, paused: string | null = null, maxMoves: number | null = null): PlanOf<'rebalance'> {
  return toEnd(rebalanceSteps(facts, policy, paused, maxMoves));
}

/**
 * planRebalance a step at a time. It yields after each host read at the start (the facts of its
 * domUs are built then: about half a second for the whole big fleet), every CANDIDATES_PER_STEP
 * candidates within a round (one round is some 30 ms at 40,000 domUs) and between rounds; what it
 * computes does not depend on where it yields, so the plan is planRebalance's.
 */
export function* rebalanceSteps(facts: PlanFacts, policy: PlanPolicy, paused: string | null = null, maxMoves: number | null = null): Steps<PlanOf<'rebalance'>> {
  const online = facts.hostNames().filter((h) => targetBlock(facts.host(h)) === null);
  const onlineSet = new Set(online);
  const running: { d: FactDomu; h: string }[] = [];
  for (const h of online) {
    for (const d of facts.domusOn(h)) running.push({ d, h });
    yield;
  }
  const healthyHome = (d: FactDomu): boolean => d.home !== null && onlineSet.has(d.home);
  const away = running.filter(({ d, h }) => healthyHome(d) && d.home !== h).length;
  const vcpusOn = new Map<string, number>();
  for (const { d, h } of running) vcpusOn.set(h, (vcpusOn.get(h) ?? 0) + d.vcpus);
  const board = new ScoreBoard(
    online.map((h) => {
      const f = facts.host(h);
      const total = f?.totalMiB ?? 0;
      return { name: h, totalMiB: total, usedMiB: total - (f?.freeMiB ?? 0), vcpus: vcpusOn.get(h) ?? 0 };
    }),
    away,
    policy.rebalance.weights,
  );
  const before = board.score();
  if (paused !== null) return { kind: 'rebalance', sets: [], scoreBefore: before, scoreAfter: before, paused, leftovers: [], closedHomes: closedHomes(facts, running) };

  const rp = policy.rebalance;
  const cap = new Capacity(facts, policy.reserveMiB, true);
  const tick = everyNth(CANDIDATES_PER_STEP);
  const movable: { d: FactDomu; h: string }[] = [];
  for (const x of running) {
    const { d, h } = x;
    if (domuBlock(d) === null && sourceBlock(facts.host(h)) === null && (d.lastMovedAt === null || facts.now - d.lastMovedAt >= rp.cooldownMs)) movable.push(x);
    if (tick()) yield;
  }
  const where = new Map(movable.map(({ d, h }) => [d.name, h]));
  const moved = new Set<string>();
  const moves: Move[] = [];
  const limit = maxMoves ?? rp.maxMoves;
  let current = before;
  // each domU leaves from one host, so its readiness for a target is asked once, not every round
  const inStep = new Map<string, boolean>();
  const drbdReady = (d: FactDomu, from: string, to: string): boolean => {
    const key = `${d.name}>${to}`;
    let ready = inStep.get(key);
    if (ready === undefined) inStep.set(key, (ready = drbdBlock(facts, d, from, to) === null));
    return ready;
  };
  while (moves.length < limit) {
    const anyHosts = leastLoaded(online, board, rp.candidateHosts);
    yield;
    let best: { d: FactDomu; from: string; to: string; score: number; awayDelta: number } | null = null;
    for (const { d } of movable) {
      if (tick()) yield;
      if (moved.has(d.name)) continue;
      const from = where.get(d.name) as string;
      const targets = d.visitorHome !== null ? [d.visitorHome] : d.replicas === 'any' ? anyHosts : (d.replicas ?? []);
      for (const to of targets) {
        if (to === from || !onlineSet.has(to) || !cap.fits(to, d.memMiB) || liveMoveBlock(facts.host(from), facts.host(to)) !== null || !drbdReady(d, from, to)) continue;
        const awayDelta = healthyHome(d) ? (to === d.home ? -1 : from === d.home ? 1 : 0) : 0;
        const s = board.scoreIfMoved(from, to, d.memMiB, d.vcpus, awayDelta);
        if (!best || s < best.score - 1e-12 || (Math.abs(s - best.score) <= 1e-12 && `${d.name}>${to}` < `${best.d.name}>${best.to}`)) best = { d, from, to, score: s, awayDelta };
      }
    }
    if (!best || current - best.score < rp.minGain) break;
    board.apply(best.from, best.to, best.d.memMiB, best.d.vcpus, best.awayDelta);
    cap.move(best.from, best.to, best.d.memMiB);
    moved.add(best.d.name);
    current = best.score;
    const home = best.d.home === best.to;
    moves.push({ name: best.d.name, from: best.from, to: best.to, memMiB: best.d.memMiB, vcpus: best.d.vcpus, why: home ? 'home' : 'balance' });
  }
  // the rebalance executor starts a move only once every earlier move sharing a host has ended
  const sets = jobSets(moves, { perSource: 1, perTarget: 1, global: policy.limits.global });
  // a domU that stays away from its healthy home is listed with why: "balanced" alone would hide it
  // once the moves ran out, one that stays for no other reason says so: a silent cap read as "done"
  const atLimit = moves.length >= limit;
  const leftovers: Leftover[] = [];
  const listed = new Set<string>();
  for (const { d, h } of running) {
    if (tick()) yield;
    // a domU running on two hosts comes by twice, with one reason: it is listed once
    // nor is one with a copy at home away from it: the copy elsewhere is a second one, status's alert to settle
    if (!healthyHome(d) || d.home === h || moved.has(d.name) || listed.has(d.name) || d.hosts.includes(d.home as string)) continue;
    const why = whyItStaysAway(facts, cap, rp, d, h) ?? (atLimit ? { kind: 'move-limit' as const, limit } : null);
    if (why === null) continue;
    listed.add(d.name);
    leftovers.push(leftover(d.name, h, why));
  }
  leftovers.sort((a, b) => a.name.localeCompare(b.name));
  // what this plan cannot bring home, said under its table as the job's ending says it
  return { kind: 'rebalance', sets, scoreBefore: before, scoreAfter: current, paused: null, leftovers, closedHomes: closedHomes(facts, running) };
}

/** Why a domU away from its online home is not sent home by this plan; null: none of its own (the plan's moves ran out, or it gains too little). */
function whyItStaysAway(facts: PlanFacts, cap: Capacity, rp: RebalancePolicy, d: FactDomu, on: string): Blocker | null {
  const own = domuBlock(d);
  if (own) return own;
  const src = sourceBlock(facts.host(on));
  if (src) return { kind: 'source-unavailable', host: on, why: src };
  const home = d.home as string;
  // before the cooldown: its hint (`xenherdctl reverse`) would be refused by the agent's DRBD preflight
  const drbd = drbdBlock(facts, d, on, home);
  if (drbd) return drbd;
  if (d.lastMovedAt !== null && facts.now - d.lastMovedAt < rp.cooldownMs) return { kind: 'cooldown', untilMs: d.lastMovedAt + rp.cooldownMs };
  if (!cap.fits(home, d.memMiB)) return { kind: 'no-memory', needMiB: d.memMiB, reserveMiB: cap.reserveMiB, best: { host: home, freeMiB: Math.max(0, cap.free(home) ?? 0) } };
  return null;
}

/** For domUs any host could take: the K hosts with the lowest memory use and the K with the lowest vCPU load. */
function leastLoaded(hosts: readonly string[], board: ScoreBoard, k: number): string[] {
  const byMem = firstK(hosts, k, (a, b) => board.memUse(a) - board.memUse(b) || a.localeCompare(b));
  const byCpu = firstK(hosts, k, (a, b) => board.vcpuLoad(a) - board.vcpuLoad(b) || a.localeCompare(b));
  return [...new Set([...byMem, ...byCpu])];
}

/**
 * The first K of XS in CMP's order, as a stable sort's first K would be: one pass, as sorting 2,000
 * hosts twice every round (ties broken by localeCompare) was several ms of a round not cut in slices.
 */
function firstK<T>(xs: readonly T[], k: number, cmp: (a: T, b: T) => number): T[] {
  const out: T[] = [];
  for (const x of xs) {
    if (out.length >= k && (k <= 0 || cmp(x, out[k - 1] as T) >= 0)) continue;
    let i = out.length;
    while (i > 0 && cmp(x, out[i - 1] as T) < 0) i--;
    out.splice(i, 0, x);
    if (out.length > k) out.pop();
  }
  return out;
}
