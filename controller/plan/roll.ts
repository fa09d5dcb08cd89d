import type { Leftover, PlanOf } from '../../shared/protocol/ctl-jobs.js';
import { drainSteps } from './drain.js';
import type { PlanFacts } from './facts.js';
import type { PlanPolicy } from './policy.js';
import { everyNth, toEnd, type Steps } from './steps.js';

/** domU facts built (some 13 µs each) between two yields */
const DOMUS_PER_STEP = 32;

/**
 * Rolling maintenance: HOSTS split into groups that can be down together
 * — no two hosts of a group hold replicas of one DRBD resource (or the domUs on it would have
 * nowhere to go), and the hosts outside the group have room for everything the group runs (a
 * drain of the whole group plans no leftover). Greedy colouring, most-constrained host first.
 * A host that cannot be drained even alone makes the roll refuse: its leftovers are listed.
 * GROUP_SIZE caps a group (the operator's --group-size: how many Dom0s may be down at once).
 */
export function planRoll(facts: PlanFacts, hosts: readonly string[], policy: PlanPolicy, groupSize: number | null = null): PlanOf<'roll'> {
  return toEnd(rollSteps(facts, hosts, policy, groupSize));
}

/** planRoll a step at a time: its drains, one per host alone and one per group tried, yield as they go (drainSteps). */
export function* rollSteps(facts: PlanFacts, hosts: readonly string[], policy: PlanPolicy, groupSize: number | null = null): Steps<PlanOf<'roll'>> {
  const unique = [...new Set(hosts)];
  // A roll asked again after it stopped (Ctrl-C, a timeout) finds its first hosts draining or in
  // maintenance: their groups go first, and a later group is drained once they are online again,
  // so its plan counts them as online (as they will be), not as hosts that can take nothing.
  const notOnline = new Set(unique.filter((h) => (facts.host(h)?.maintenance.state ?? 'online') !== 'online'));
  const alone: Leftover[] = [];
  for (const h of unique) alone.push(...(yield* drainSteps(notOnline.has(h) ? facts : seenOnline(facts, notOnline), [h], policy)).leftovers);
  if (alone.length > 0) return { kind: 'roll', groups: [], leftovers: alone };

  const inRoll = new Set(unique);
  const conflicts = new Map<string, Set<string>>(unique.map((h) => [h, new Set<string>()]));
  const tick = everyNth(DOMUS_PER_STEP);
  // one domU's facts at a time: all 40,000 built at once held the loop for over half a second
  for (const name of facts.runningNames()) {
    if (tick()) yield;
    const d = facts.domu(name);
    if (d === undefined || d.host === null) continue;
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
    let g: string[] | undefined;
    for (const [k, grp] of groups.entries()) {
      if ((groupSize !== null && grp.length >= groupSize) || !grp.every((x) => !conflicts.get(h)?.has(x))) continue;
      if ((yield* drainSteps(seenOnline(facts, backBefore(k)), [...grp, h], policy)).leftovers.length === 0) {
        g = grp;
        break;
      }
    }
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
