import type { LinkDrbdResource } from '../../shared/protocol/agent-link-state.js';
import { hostlessPeerName } from '../../shared/drbd-words.js';
import { DEAD_DOM0_SECTION } from '../../shared/drbd-readiness.js';
import { andList as and } from '../../shared/text/and-list.js';
import type { FleetIndex } from './fleet-index.js';
import { isReachable, type Freshness, type HostRecord } from './host-record.js';
import { isLive } from './live-row.js';
import { domusOn, resHostsOn } from './resource-users.js';
import { reachableWithState, type CheckProblem, type ReportedRecord } from './check-conditions.js';

/**
 * What the Dom0s heard now know of a Dom0 this controller has not heard from since it started: a
 * controller restarted while a Dom0 lay dead has no last report of it (reports are not kept on
 * disk), so lost-primary.ts, which reads that report, has nothing to say. Its DRBD partners still
 * know: they hold the resources Secondary, cut off from it, and guard or configure the domUs whose
 * disks those are. Such a domU running on no Dom0 that reports ran on the silent one, or nowhere:
 * if that Dom0 is down, so is the domU, and only a person who knows it is off may start it elsewhere.
 */
export interface DownWithUnreported {
  /** the Dom0 not heard from since the controller started */
  readonly host: string;
  /** the domUs on the cut resources that run on no Dom0 that reports, by name */
  readonly domus: readonly string[];
  readonly resources: readonly string[];
  /** the Dom0s heard now that report those resources Secondary and cut off from HOST */
  readonly heardOn: readonly string[];
}

/** At most this many domUs by name in one sentence; the rest counted. */
const NAMED = 5;
const named = (xs: readonly string[]): string => (xs.length <= NAMED ? and(xs) : `${xs.slice(0, NAMED).join(', ')} and ${xs.length - NAMED} more`);

/** RES on a reachable Dom0 W: its peer that is HOST (DRBD 9 by name; 8.4's one "peer" when W's `.res` names HOST). */
function peerIs(index: FleetIndex, w: ReportedRecord, res: LinkDrbdResource, host: string): LinkDrbdResource['peers'][number] | undefined {
  const byName = res.peers.find((p) => p.name === host);
  if (byName !== undefined) return byName;
  const only = res.peers.length === 1 ? res.peers[0] : undefined;
  return only !== undefined && hostlessPeerName(only.name) && resHostsOn(index, res.name, w.host).includes(host) ? only : undefined;
}

const runsOnHeard = (index: FleetIndex, fresh: Freshness, name: string): boolean =>
  [...(index.running.get(name)?.entries() ?? [])].some(([h, rows]) => {
    const r = index.record(h);
    return r !== undefined && isReachable(r, fresh.now, fresh.staleAfterMs) && rows.some(isLive);
  });

/** A Dom0 with no report since the controller started and no link now (its agent may still be about to dial). */
const unreported = (r: HostRecord | undefined): r is HostRecord => r !== undefined && r.state === null && r.lastSeen === null && !r.linkUp;

/**
 * What HOST's heard partners say may be down with it; null when HOST has reported since the
 * controller started (lost-primary.ts reads its last report then), when any Dom0 heard now is
 * connected to it (it is up, its agent alone silent), or when no domU on a resource cut from it
 * runs nowhere heard. A resource a Dom0 heard now holds Primary is written there: not down.
 */
export function downWithUnreported(index: FleetIndex, fresh: Freshness, host: string): DownWithUnreported | null {
  if (!unreported(index.record(host))) return null;
  const heard = [...reachableWithState(index, fresh)].filter((w) => w.host !== host);
  const primaryHeard = new Set(heard.flatMap((w) => w.state.drbd.resources.filter((r) => r.role === 'Primary').map((r) => r.name)));
  const domus = new Set<string>();
  const resources = new Set<string>();
  const heardOn = new Set<string>();
  for (const w of heard) {
    for (const res of w.state.drbd.resources) {
      const peer = peerIs(index, w, res, host);
      if (peer === undefined || peer.connection === null) continue;
      // a live link to it: the Dom0 is up and runs what it ran, its agent alone unheard
      if (peer.connection === 'Connected') return null;
      if (primaryHeard.has(res.name)) continue;
      const down = domusOn(index, res.name, w.host).filter((d) => !runsOnHeard(index, fresh, d));
      if (down.length === 0) continue;
      for (const d of down) domus.add(d);
      resources.add(res.name);
      heardOn.add(w.host);
    }
  }
  if (domus.size === 0) return null;
  return { host, domus: [...domus].sort(), resources: [...resources].sort(), heardOn: [...heardOn].sort() };
}

/** Every Dom0 among HOSTS of which downWithUnreported has something to say, by host. */
export function downWithUnreportedOf(index: FleetIndex, fresh: Freshness, hosts: Iterable<string>): Map<string, DownWithUnreported> {
  const out = new Map<string, DownWithUnreported>();
  for (const h of hosts) {
    const d = downWithUnreported(index, fresh, h);
    if (d !== null) out.set(h, d);
  }
  return out;
}

/**
 * "web1 and web2 may be down with xen1: …", the words `check` puts on xen1's line and `status`
 * under it, pointing to the runbook the lost-primary words name.
 */
export function downWithUnreportedText(d: DownWithUnreported): string {
  const one = d.domus.length === 1;
  const heard = d.heardOn.length === 1;
  return (
    `${named(d.domus)} may be down with ${d.host}: ${one ? 'it runs' : 'they run'} on no Dom0 that reports, and ${and(d.heardOn)}, heard now, ${heard ? 'holds' : 'hold'} ${and(d.resources)} Secondary, cut off from ${d.host}, ` +
    `which has not reported since the controller started; if ${d.host} is down, start ${one ? 'it' : 'them'} elsewhere only once ${d.host} is surely off (README, section "${DEAD_DOM0_SECTION}")`
  );
}

/** "web1 and web2 may be down with xen1", for a status line or a summary */
export const downWithUnreportedShort = (d: DownWithUnreported): string => `${named(d.domus)} may be down with ${d.host}`;

/**
 * PROBLEMS with DOWNS said on the lines of the Dom0s they name: within the start-up grace the one
 * WARNING for the Dom0s not reported yet (its short line too, as the summary a pager shows is made
 * of those), after it each one's own unreachable line. Either alone reads as "wait for it".
 */
export function withDownWithUnreported(problems: readonly CheckProblem[], downs: ReadonlyMap<string, DownWithUnreported>): CheckProblem[] {
  if (downs.size === 0) return [...problems];
  const all = [...downs.values()];
  return problems.map((p) => {
    if (p.kind === 'hosts-not-reported') {
      return { ...p, short: `${p.short} (${all.map(downWithUnreportedShort).join('; ')})`, text: `${p.text}; ${all.map(downWithUnreportedText).join('; ')}` };
    }
    const d = p.kind === 'host-unreachable' ? downs.get(p.subject) : undefined;
    return d === undefined ? p : { ...p, text: `${p.text}; ${downWithUnreportedText(d)}` };
  });
}
