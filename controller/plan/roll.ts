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
  // A roll asked again after it stopped (Ctrl-C, a timeout) finds its first hosts draining or in
  // maintenance: their groups go first, and a later group is drained once they are online again,
  // so its plan counts them as online (as they will be), not as hosts that can take nothing.
  const notOnline = new Set(unique.filter((h) => (facts.host(h)?.maintenance.state ?? 'online') !== 'online'));
  const alone: Leftover[] = unique.flatMap((h) => planDrain(notOnline.has(h) ? facts : seenOnline(facts, notOnline), [h], policy).leftovers);
  if (alone.length > 0) return { kind: 'roll', groups: [], leftovers: alone };

  const inRoll = new Set(unique);
  const conflicts = new Map<string, Set<string>>(unique.map((h) => [h, new Set<string>()]));
  for (const d of facts.running()) {
    const holders = [...new Set([...d.replicaUnion, ...(d.host !== null ? [d.host] : [])])].filter((h) => inRoll.has(h));
    for (const a of holders) for (const b of holders) if (a !== b) conflicts.get(a)?.add(b);
  }
  const load = (h: string): number => facts.domusOn(h).length;
  const first = (h: string): number => (notOnline.has(h) ? 0 : 1);
  const order = [...unique].sort((a, b) => first(a) - first(b) || (conflicts.get(b)?.size ?? 0) - (conflicts.get(a)?.size ?? 0) || load(b) - load(a) || a.localeCompare(b));
  const groups: string[][] = [];
  // the roll's hosts out of service that groups before the K-th bring back
  const backBefore = (k: number): Set<string> => new Set(groups.slice(0, k).flat().filter((x) => notOnline.has(x)));
  for (const h of order) {
    const g = groups.find((grp, k) => grp.every((x) => !conflicts.get(h)?.has(x)) && planDrain(seenOnline(facts, backBefore(k)), [...grp, h], policy).leftovers.length === 0);
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

/** FACTS with the hosts BACK seen online: the roll's hosts found out of service, which it brings back before a later group's turn. */
export function seenOnline(facts: PlanFacts, back: ReadonlySet<string>): PlanFacts {
  if (back.size === 0) return facts;
  return {
    ...facts,
    host: (name) => {
      const h = facts.host(name);
      return h !== undefined && back.has(name) ? { ...h, maintenance: ONLINE } : h;
    },
  };
}

const ONLINE = { state: 'online', operationId: null, owner: null } as const;
