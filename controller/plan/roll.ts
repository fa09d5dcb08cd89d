import type { Leftover, PlanOf } from '../../shared/protocol/ctl-jobs.js';
import { planDrain } from './drain.js';
import type { PlanFacts } from './facts.js';
import type { PlanPolicy } from './policy.js';

/**
 * Rolling maintenance: HOSTS split into groups that can be down together
 * — no two hosts of a group hold replicas of one DRBD resource (or the domUs on it would have
 * nowhere to go), and the hosts outside the group have room for everything the group runs (a
 * drain of the whole group plans no leftover). Greedy colouring, most-constrained host first.
 * A host that cannot be drained even alone makes the roll refuse: its leftovers are listed.
 */
export function planRoll(facts: PlanFacts, hosts: readonly string[], policy: PlanPolicy): PlanOf<'roll'> {
  const unique = [...new Set(hosts)];
  const alone: Leftover[] = unique.flatMap((h) => planDrain(facts, [h], policy).leftovers);
  if (alone.length > 0) return { kind: 'roll', groups: [], leftovers: alone };

  const inRoll = new Set(unique);
  const conflicts = new Map<string, Set<string>>(unique.map((h) => [h, new Set<string>()]));
  for (const d of facts.running()) {
    const holders = [...new Set([...d.replicaUnion, ...(d.host !== null ? [d.host] : [])])].filter((h) => inRoll.has(h));
    for (const a of holders) for (const b of holders) if (a !== b) conflicts.get(a)?.add(b);
  }
  const load = (h: string): number => facts.domusOn(h).length;
  const order = [...unique].sort((a, b) => (conflicts.get(b)?.size ?? 0) - (conflicts.get(a)?.size ?? 0) || load(b) - load(a) || a.localeCompare(b));
  const groups: string[][] = [];
  for (const h of order) {
    const g = groups.find((grp) => grp.every((x) => !conflicts.get(h)?.has(x)) && planDrain(facts, [...grp, h], policy).leftovers.length === 0);
    if (g) g.push(h);
    else groups.push([h]);
  }
  return {
    kind: 'roll',
    groups: groups.map((g) => {
      const ds = g.flatMap((h) => facts.domusOn(h));
      return { hosts: [...g].sort(), domus: ds.length, memMiB: ds.reduce((s, d) => s + d.memMiB, 0) };
    }),
    leftovers: [],
  };
}
