import type { HostView } from '../../shared/protocol/ctl-api.js';
import { printable } from '../../shared/text/printable.js';
import { buildOrder } from '../../shared/build-order.js';
import { nameOrder } from '../../shared/name-order.js';

/** Up to this many Dom0s of a build are named: the few an upgrade missed, not the fleet. */
const NAMED_UP_TO = 5;

/**
 * The line `status` gives when the Dom0s' agents run more than one build, '' otherwise: halfway
 * through an upgrade, or with one Dom0 left behind, which `hosts`' AGENT column shows only to an
 * operator who reads every row. Each build with how many Dom0s run it, the most first; each other
 * build on a few Dom0s names them; the newest is marked when it is newer than each of the others
 * (shared/build-order.ts), so the rest are the Dom0s an upgrade has not reached, whichever build
 * most of them run. A Dom0 whose agent never said its version (not reported yet) is left out.
 */
export function agentBuildsLine(hosts: readonly HostView[]): string {
  const byBuild = new Map<string, string[]>();
  for (const h of hosts) {
    if (h.agentVersion === null) continue;
    const on = byBuild.get(h.agentVersion);
    if (on === undefined) byBuild.set(h.agentVersion, [h.host]);
    else on.push(h.host);
  }
  if (byBuild.size < 2) return '';
  const builds = [...byBuild].sort(([a, x], [b, y]) => y.length - x.length || b.localeCompare(a));
  const newest = builds.find(([b]) => builds.every(([other]) => other === b || buildOrder(b, other) === 'newer'))?.[0];
  const one = ([build, on]: [string, string[]], i: number): string => {
    const named = i > 0 && on.length <= NAMED_UP_TO ? ` (${[...on].sort(nameOrder).map(printable).join(', ')})` : '';
    return `${printable(build)}${build === newest ? ' (newest)' : ''} on ${on.length} Dom0${on.length === 1 ? '' : 's'}${named}`;
  };
  return `agents: ${builds.length} builds: ${builds.map(one).join('; ')} (xenherdctl hosts: AGENT)\n`;
}
