import type { LinkDrbdResource } from '../../shared/protocol/agent-link-state.js';
import type { FleetIndex } from './fleet-index.js';
import { isReachable, type Freshness } from './host-record.js';
import { usersRunningOn } from './resource-users.js';
import { andList as and } from '../../shared/text/and-list.js';
import { DEAD_DOM0_SECTION } from '../../shared/drbd-readiness.js';
import type { CheckProblem, LostPrimary } from './check-conditions.js';
import { nameOrder } from '../../shared/name-order.js';

/** The lines of a Dom0 the controller does not hear. */
const UNHEARD_KINDS = new Set<CheckProblem['kind']>(['host-unreachable', 'host-unreachable-in-maintenance']);

/**
 * A resource whose Primary is gone: the Dom0 that held it Primary is heard no more, and the sides
 * heard now are cut off from it and Secondary. "Not connected" alone reads as a link to mend, while
 * what it means is that nothing heard writes the disk: whatever ran there is down with that Dom0,
 * or runs on cut off (with DRBD 9's quorum, frozen), and only a person who knows which may promote
 * it elsewhere. PEER's last report is the only word on its role: its partner's DRBD forgets a role
 * once the link goes (events2 `role:Unknown`, status prints none).
 */
export function heldPrimaryUnheard(index: FleetIndex, fresh: Freshness, name: string, peer: string): boolean {
  const r = index.record(peer);
  if (r === undefined || r.state === null || isReachable(r, fresh.now, fresh.staleAfterMs)) return false;
  return r.state.drbd.resources.some((res) => res.name === name && res.role === 'Primary');
}

/**
 * What to do of RES, as HOSTS (heard now) report it cut from PEER, when PEER held it Primary as
 * last heard and RES (the first's report) is not: null otherwise (PEER reporting, never Primary,
 * or RES Primary itself).
 */
export function lostPrimaryText(index: FleetIndex, fresh: Freshness, hosts: readonly string[], res: LinkDrbdResource, peer: string): string | null {
  if (res.role === 'Primary' || !heldPrimaryUnheard(index, fresh, res.name, peer)) return null;
  const ran = usersRunningOn(index, res.name, peer); // as PEER last reported them
  const what = ran.length === 0 ? 'what used it there' : ran.join(', ');
  const on = ran.length === 0 ? '' : ` (${ran.join(', ')} ran there)`;
  return (
    `${peer} held ${res.name} Primary when last heard${on} and ${and(hosts)} ${hosts.length === 1 ? 'is' : 'are'} Secondary, so no Dom0 heard now writes it: ` +
    `if ${peer} is down, ${what} is down with it (README, section "${DEAD_DOM0_SECTION}"); promote ${res.name} nowhere while ${peer} may be up`
  );
}

/** At most this many domUs by name on a Dom0's line; the rest counted, each resource's line names its own. */
const NAMED_DOWN = 5;

const named = (xs: readonly string[]): string => (xs.length <= NAMED_DOWN ? and(xs) : `${xs.slice(0, NAMED_DOWN).join(', ')} and ${xs.length - NAMED_DOWN} more`);

/**
 * PROBLEMS with each unreachable Dom0's own line saying what is down if that Dom0 is: the domUs it
 * ran on resources it held Primary when last heard and that no Dom0 heard now holds Primary (the
 * `lostPrimaries` of the DRBD problems DEGRADED). That line leads the page, while xenherdctl folds
 * several resources waiting for one Dom0 into a line that says they clear once it is back: alone,
 * the page read as "wait for it", not as "its domUs are down; see the runbook".
 */
export function withLostPrimaries(problems: readonly CheckProblem[], degraded: readonly CheckProblem[]): CheckProblem[] {
  const byHost = new Map<string, LostPrimary[]>();
  for (const p of degraded) for (const l of p.lostPrimaries ?? []) byHost.set(l.host, [...(byHost.get(l.host) ?? []), l]);
  return problems.map((p) => {
    const lost = UNHEARD_KINDS.has(p.kind) ? byHost.get(p.subject) : undefined;
    if (lost === undefined) return p;
    const domus = [...new Set(lost.flatMap((l) => l.domus))].sort();
    const resources = [...new Set(lost.map((l) => l.resource))].sort();
    const heard = [...new Set(lost.map((l) => l.heardOn))].sort(nameOrder);
    const down = domus.length === 0 ? `what used ${named(resources)} there is` : `${named(domus)} ${domus.length === 1 ? 'is' : 'are'}`;
    return {
      ...p,
      text:
        `${p.text}; if ${p.subject} is down, ${down} down with it: it held ${named(resources)} Primary when last heard and ${and(heard)}, heard now, ${heard.length === 1 ? 'is' : 'are'} Secondary and cut off from it; ` +
        `start ${domus.length === 1 ? 'it' : 'them'} elsewhere only once ${p.subject} is surely off (README, section "${DEAD_DOM0_SECTION}")`,
    };
  });
}
