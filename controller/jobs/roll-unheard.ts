import type { Clock } from '../../shared/clock/clock.js';
import type { XhError } from '../../shared/errors.js';
import { CAPABILITY } from '../../shared/protocol/agent-link.js';
import type { Maintenance } from '../../shared/protocol/agent-link-values.js';
import { andList } from '../../shared/text/and-list.js';
import { MAINTENANCE_WORDS } from '../../shared/text/maintenance-words.js';
import { noAgentMessage } from '../fleet/no-agent-message.js';
import type { PlanFacts } from '../plan/facts.js';
import type { PlanPolicy } from '../plan/policy.js';
import { rollInSlices } from './plan-in-slices.js';

/** What a roll of HOSTS is refused for before it plans (an agent not heard, or too old), or null: it may begin. */
export async function rollStartRefusal(clock: Clock, facts: PlanFacts, hosts: readonly string[], policy: PlanPolicy): Promise<XhError | null> {
  const unique = [...new Set(hosts)];
  for (const host of unique) {
    const h = facts.host(host);
    if (!h?.record.state) return { code: 'XH_ERR_NOT_FOUND', message: noAgentMessage([host], facts.hostNames()) };
    if (!h.reachable) {
      const unheard = unique.filter((x) => facts.host(x)?.reachable !== true);
      return { code: 'XH_ERR_AGENT_UNREACHABLE', message: unreachableText(host, h.maintenance, await rollWithout(clock, facts, unique, unheard, policy)) };
    }
    if (!h.capabilities.includes(CAPABILITY.maintenance)) return { code: 'XH_ERR_REFUSED', message: `the agent of ${host} keeps no maintenance flag: upgrade it` };
  }
  return null;
}

/** The roll the refusal offers: the hosts it can begin with, and those left out as they cannot be emptied now. */
export type RollWithout = { readonly roll: readonly string[]; readonly held: readonly string[] };

/**
 * The hosts of HOSTS a roll can begin with while UNHEARD are not heard: each other host but those
 * whose drain alone would leave a domU (a DRBD peer of an unheard host holds domUs that can go
 * nowhere else), found by planning that roll until it leaves nothing. Leaving a host out can make
 * another one's drain fail (one out of service was counted as coming back), so it plans again.
 */
export async function rollWithout(clock: Clock, facts: PlanFacts, hosts: readonly string[], unheard: readonly string[], policy: PlanPolicy): Promise<RollWithout> {
  let roll = hosts.filter((h) => !unheard.includes(h));
  const held: string[] = [];
  while (roll.length > 0) {
    const { leftovers } = await rollInSlices(clock, facts, roll, policy, null);
    if (leftovers.length === 0) break;
    const out = new Set(leftovers.flatMap((l) => (l.host !== null && roll.includes(l.host) ? [l.host] : [])));
    // a leftover no host of the roll holds is not cured by leaving one out: no roll of them begins
    const drop = out.size === 0 ? roll : roll.filter((h) => out.has(h));
    held.push(...drop);
    roll = roll.filter((h) => !drop.includes(h));
  }
  return { roll, held };
}

/**
 * Why a roll cannot begin while HOST's agent is unheard, and the way on: what state HOST was last
 * reported in (kept on its disk: a roll asked again with it takes it up from there), and a roll of
 * the others that is not refused in turn (WAY): one naming a DRBD peer of HOST could only list the
 * peer's domUs as having nowhere to go.
 */
export function unreachableText(host: string, flag: Maintenance, way: RollWithout): string {
  const op = flag.operationId === null ? '' : ` (operation ${flag.operationId})`;
  const left = flag.state === 'online' ? `${host} was last reported online: the roll did nothing to it` : `${host} was last reported ${MAINTENANCE_WORDS[flag.state]}${op} and stays so until its agent is back`;
  const one = way.held.length === 1;
  const held = way.held.length === 0 ? '' : `${andList(way.held)} cannot be emptied without it (\`xenherdctl plan roll ${way.held.join(' ')}\` says what would stay): roll ${one ? 'it' : 'them'} with ${host} once it is back`;
  const without = way.roll.length > 0 ? `; \`xenherdctl roll ${way.roll.join(' ')}\` (same options) rolls the others without it${held === '' ? '' : `; ${held}`}` : held === '' ? '' : `; ${held}`;
  return `the agent of ${host} is not connected (or silent): nothing was changed; ${left}${without}; once ${host} is back, this roll asked again takes it up where it stopped`;
}
