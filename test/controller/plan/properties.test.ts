import { describe, expect, it } from 'vitest';
import { planDrain } from '../../../controller/plan/drain.js';
import type { PlanFacts } from '../../../controller/plan/facts.js';
import { DEFAULT_POLICY, type PlanPolicy } from '../../../controller/plan/policy.js';
import { planRebalance } from '../../../controller/plan/rebalance.js';
import { planRestore } from '../../../controller/plan/restore.js';
import { planRoll, seenOnline } from '../../../controller/plan/roll.js';
import { seededRandom } from '../../../shared/random.js';
import type { Move } from '../../../shared/protocol/ctl-jobs.js';
import { randomFleet } from './fleet-gen.js';
import { factsOf } from './plan-fleet.js';

const SEEDS = 300;

/**
 * Runs the sets in order, as an executor could: a set within the policy's limits, no host both
 * sending and receiving in it, every target keeping the reserve free after its arrivals;
 * departures free memory only after their set. Returns what broke.
 */
function check(f: PlanFacts, sets: readonly (readonly Move[])[], policy: PlanPolicy, restoring: string | null): string[] {
  const bad: string[] = [];
  const free = new Map(f.hostNames().map((h) => [h, f.host(h)?.freeMiB ?? 0]));
  for (const [i, set] of sets.entries()) {
    const { perSource, perTarget, global } = policy.limits;
    const count = (hs: string[]): Map<string, number> => hs.reduce((c, h) => c.set(h, (c.get(h) ?? 0) + 1), new Map<string, number>());
    const out = count(set.map((m) => m.from));
    const into = count(set.map((m) => m.to));
    if (set.length > global) bad.push(`set ${i} beyond the limits: ${set.length} moves`);
    for (const [h, n] of out) if (n > perSource) bad.push(`set ${i} beyond the limits: ${n} out of ${h}`);
    for (const [h, n] of into) if (n > perTarget) bad.push(`set ${i} beyond the limits: ${n} into ${h}`);
    for (const h of out.keys()) if (into.has(h)) bad.push(`set ${i}: ${h} both sends and receives`);
    const names = set.map((m) => m.name);
    if (new Set(names).size !== names.length) bad.push(`set ${i} moves a domU twice`);
    for (const m of set) {
      const d = f.domu(m.name);
      if (!d) bad.push(`${m.name} unknown`);
      else if (d.visitorHome !== null ? m.to !== d.visitorHome : Array.isArray(d.replicas) ? !d.replicas.includes(m.to) : d.replicas !== 'any') bad.push(`${m.name} to ${m.to} breaks its DRBD constraint (${JSON.stringify(d.replicas)})`);
      if (m.to === m.from) bad.push(`${m.name} to itself`);
      // checked independently of the planner's own eligibility rule
      const t = f.host(m.to);
      if (!t?.reachable) bad.push(`${m.name} targets ${m.to}, which is unreachable`);
      else if (t.maintenance.state !== 'online' && m.to !== restoring) bad.push(`${m.name} targets ${m.to}, which is ${t.maintenance.state}`);
      free.set(m.to, (free.get(m.to) ?? 0) - m.memMiB);
      if ((free.get(m.to) ?? 0) < policy.reserveMiB) bad.push(`${m.to} overcommitted in set ${i} by ${m.name}`);
    }
    for (const m of set) free.set(m.from, (free.get(m.from) ?? 0) + m.memMiB);
  }
  return bad;
}

describe('planner properties on random fleets (seeded, replayable)', () => {
  it(`drain, restore, rebalance and roll never overcommit, break DRBD, target a host out of service, or move a domU twice in a set (${SEEDS} fleets)`, () => {
    const problems: string[] = [];
    for (let seed = 1; seed <= SEEDS; seed++) {
      const spec = randomFleet(seed);
      const f = factsOf(spec);
      const rnd = seededRandom(seed * 7919);
      const hosts = f.hostNames();
      const one = hosts[Math.floor(rnd() * hosts.length)] as string;
      // the operator's --max-parallel and the controller's settings change the limits
      const limit = (most: number): number => 1 + Math.floor(rnd() * most);
      const policy: PlanPolicy = { ...DEFAULT_POLICY, limits: { perSource: limit(3), perTarget: limit(3), global: limit(4) } };
      const report = (what: string, bad: string[]): void => void (bad.length > 0 && problems.push(`seed ${seed} ${what}: ${bad.join('; ')}`));

      const drain = planDrain(f, [one], policy);
      report(`drain ${one}`, check(f, drain.sets, policy, null));
      const accounted = new Set([...drain.sets.flat().map((m) => m.name), ...drain.leftovers.map((l) => l.name)]);
      const onHost = f.domusOn(one).map((d) => d.name);
      report(`drain ${one} accounting`, onHost.filter((n) => !accounted.has(n)).map((n) => `${n} neither moved nor a leftover`));
      report(`drain ${one} sources`, drain.sets.flat().filter((m) => m.from !== one).map((m) => `${m.name} from ${m.from}`));

      const restore = planRestore(f, one, policy);
      report(`restore ${one}`, check(f, restore.sets, policy, one));
      report(`restore ${one} targets`, restore.sets.flat().filter((m) => m.to !== one && m.why !== 'visitor-home').map((m) => `${m.name} to ${m.to}`));

      const rb = planRebalance(f, policy);
      report('rebalance', check(f, rb.sets, policy, null));
      const names = rb.sets.flat().map((m) => m.name);
      if (new Set(names).size !== names.length) report('rebalance', ['a domU moves twice']);
      if (names.length > 0 && !(rb.scoreAfter < rb.scoreBefore)) report('rebalance', [`score ${rb.scoreBefore} → ${rb.scoreAfter}`]);
      if (planRebalance(f, policy, 'paused').sets.length > 0) report('rebalance paused', ['planned while paused']);

      const subset = hosts.filter(() => rnd() < 0.5);
      // the operator's --group-size, on half the fleets
      const groupSize = rnd() < 0.5 ? limit(3) : null;
      const roll = planRoll(f, subset, policy, groupSize);
      // a roll brings its hosts found out of service back before the next group (roll.ts): a group's drain is judged so
      const outOfService = (h: string): boolean => f.host(h)?.maintenance.state !== 'online';
      for (const [k, g] of roll.groups.entries()) {
        const back = new Set(roll.groups.slice(0, k).flatMap((x) => x.hosts).filter(outOfService));
        const inG = new Set(g.hosts);
        if (groupSize !== null && g.hosts.length > groupSize) report('roll group size', [`${g.hosts.join(',')}: more than --group-size ${groupSize}`]);
        for (const d of f.running()) {
          const holders = [...new Set([...d.replicaUnion, ...(d.host ? [d.host] : [])])].filter((h) => inG.has(h));
          if (holders.length > 1) report('roll', [`${d.name} has replicas on ${holders.join('+')} in one group`]);
        }
        report(`roll group ${g.hosts.join(',')}`, planDrain(seenOnline(f, back), g.hosts, policy).leftovers.map((l) => l.message));
        // and those out of service come first: no group brings one back after another group's turn
        if (k > 0 && g.hosts.some(outOfService) && roll.groups.slice(0, k).some((x) => !x.hosts.some(outOfService))) report('roll order', [`${g.hosts.join(',')} out of service after a group of online hosts`]);
      }
      if (roll.leftovers.length === 0) report('roll cover', [...new Set(subset)].filter((h) => !roll.groups.some((g) => g.hosts.includes(h))).map((h) => `${h} in no group`));
    }
    expect(problems).toEqual([]);
  });

  it('the executor-mode plans (memory freed only when reported) never overcommit either', () => {
    const policy = { ...DEFAULT_POLICY, creditDepartures: false };
    const problems: string[] = [];
    for (let seed = 1000; seed < 1000 + SEEDS; seed++) {
      const f = factsOf(randomFleet(seed));
      for (const h of f.hostNames().slice(0, 3)) {
        const flat = (s: readonly (readonly Move[])[]) => [s.flat()];
        const bad = [...check(f, flat(planDrain(f, [h], policy).sets), policy, null).filter((b) => !b.startsWith('set 0 beyond the limits') && !b.includes('both sends and receives')), ...check(f, flat(planRestore(f, h, policy).sets), policy, h).filter((b) => !b.startsWith('set 0 beyond the limits') && !b.includes('both sends and receives'))];
        if (bad.length > 0) problems.push(`seed ${seed} ${h}: ${bad.join('; ')}`);
      }
    }
    expect(problems).toEqual([]);
  });
});
