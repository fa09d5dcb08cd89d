import type { LinkDrbdResource } from '../../shared/protocol/agent-link-state.js';
import { hostlessPeerName } from '../../shared/drbd-words.js';
import { DEAD_DOM0_SECTION } from '../../shared/drbd-readiness.js';
import { andList as and } from '../../shared/text/and-list.js';
import type { FleetIndex } from './fleet-index.js';
import type { Freshness, HostRecord } from './host-record.js';
import { nameOrder } from '../../shared/name-order.js';
import { holdsNothingOf } from './foreign-claims.js';
import { isLive } from './live-row.js';
import { domusOn, resHostsOn } from './resource-users.js';
import { reachableWithState, type CheckProblem, type ReportedRecord } from './check-conditions.js';

/**
 * What the Dom0s heard now know of a Dom0 this controller has not heard from since it started: a
 * controller restarted while a Dom0 lay dead has no last report of it (reports are not kept on
 * disk), so lost-primary.ts, which reads that report, has nothing to say. Its DRBD partners still
 * know: they hold the resources Secondary, cut off from it, and guard or configure the domUs whose
 * disks those are. Such a domU no report shows running, current or an unheard Dom0's last, ran on
 * the silent one, or nowhere: if that Dom0 is down, so is the domU, and only a person who knows it
 * is off may start it elsewhere.
 */
export interface DownWithUnreported {
  /** the Dom0 not heard from since the controller started */
  readonly host: string;
  /** the domUs on the cut resources that no report lists running, not even an unheard Dom0's last one, by name */
  readonly domus: readonly string[];
  readonly resources: readonly string[];
  /** of DOMUS, those on each of RESOURCES, so a resource's own line names its own */
  readonly domusOf: ReadonlyMap<string, readonly string[]>;
  /** the Dom0s heard now that report those resources Secondary and cut off from HOST */
  readonly heardOn: readonly string[];
}

/** At most this many domUs by name in one sentence; the rest counted. */
const NAMED = 5;
const named = (xs: readonly string[]): string => (xs.length <= NAMED ? and(xs) : `${xs.slice(0, NAMED).join(', ')} and ${xs.length - NAMED} more`);

type Peer = LinkDrbdResource['peers'][number];

/** RES's peers on a reachable Dom0 W that are among SILENT: DRBD 9 names each; 8.4's one "peer" is the host W's `.res` names. */
function silentPeers(index: FleetIndex, w: ReportedRecord, res: LinkDrbdResource, silent: ReadonlySet<string>): [string, Peer][] {
  const only = res.peers.length === 1 ? res.peers[0] : undefined;
  if (only !== undefined && hostlessPeerName(only.name)) return resHostsOn(index, res.name, w.host).filter((h) => h !== w.host && silent.has(h)).map((h) => [h, only]);
  return res.peers.filter((p) => silent.has(p.name)).map((p) => [p.name, p]);
}

/**
 * A report lists NAME running: one heard now, or the last of a Dom0 unheard now. That Dom0 may run
 * it still, or have taken it down with it: its own line (lost-primary.ts), `where` and `status`
 * say that of it, from that report, so it is not also said down with a Dom0 never heard from. Not
 * a Dom0 that holds nothing NAME runs from (foreign-claims.ts): its row is a claim, an alert of its
 * own, and NAME is down with the silent Dom0 all the same.
 */
const runsOnAnyReport = (index: FleetIndex, name: string): boolean => [...(index.running.get(name) ?? [])].some(([host, rows]) => rows.some(isLive) && holdsNothingOf(index, name, host) === null);

/** A Dom0 with no report since the controller started and no link now (its agent may still be about to dial). */
const unreported = (r: HostRecord | undefined): r is HostRecord => r !== undefined && r.state === null && r.lastSeen === null && !r.linkUp;

/** One resource a reachable Dom0 holds with a silent Dom0 as its peer. */
interface Sighting {
  readonly witness: string;
  readonly res: LinkDrbdResource;
  readonly peer: Peer;
}

/**
 * What the heard partners of each of HOSTS say may be down with it, by host; a host is left out
 * when it has reported since the controller started (lost-primary.ts reads its last report then),
 * when any Dom0 heard now is connected to it (it is up, its agent alone silent), or when a report,
 * current or an unheard Dom0's last, shows every domU on a resource cut from it running. A
 * resource a Dom0 heard now holds Primary is written there: not down. One pass over the heard
 * Dom0s' resources for all of HOSTS: after a restart hundreds of Dom0s may not have reported yet,
 * and check and status ask at every call.
 */
export function downWithUnreportedOf(index: FleetIndex, fresh: Freshness, hosts: Iterable<string>): Map<string, DownWithUnreported> {
  const silent = new Set([...hosts].filter((h) => unreported(index.record(h))));
  const out = new Map<string, DownWithUnreported>();
  if (silent.size === 0) return out;
  const primaryHeard = new Set<string>();
  const seen = new Map<string, Sighting[]>();
  for (const w of reachableWithState(index, fresh)) {
    for (const res of w.state.drbd.resources) {
      if (res.role === 'Primary') primaryHeard.add(res.name);
      for (const [h, peer] of silentPeers(index, w, res, silent)) {
        if (peer.connection === null) continue;
        const list = seen.get(h) ?? [];
        if (list.length === 0) seen.set(h, list);
        list.push({ witness: w.host, res, peer });
      }
    }
  }
  for (const [host, sightings] of seen) {
    // a live link to it: the Dom0 is up and runs what it ran, its agent alone unheard
    if (sightings.some((s) => s.peer.connection === 'Connected')) continue;
    const domus = new Set<string>();
    const domusOf = new Map<string, Set<string>>();
    const heardOn = new Set<string>();
    for (const { witness, res } of sightings) {
      if (primaryHeard.has(res.name)) continue;
      const down = domusOn(index, res.name, witness).filter((d) => !runsOnAnyReport(index, d));
      if (down.length === 0) continue;
      const on = domusOf.get(res.name) ?? new Set<string>();
      domusOf.set(res.name, on);
      for (const d of down) (domus.add(d), on.add(d));
      heardOn.add(witness);
    }
    if (domus.size === 0) continue;
    const resources = [...domusOf.keys()].sort();
    out.set(host, { host, domus: [...domus].sort(), resources, domusOf: new Map(resources.map((r) => [r, [...(domusOf.get(r) ?? [])].sort()])), heardOn: [...heardOn].sort(nameOrder) });
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

/**
 * What a DRBD line of RESOURCE, as HOST (heard now) reports it cut from D's Dom0, adds: alone it
 * says "waiting for its peer Dom0: see to it first", which reads as a link to wait for, while what
 * it means is that no Dom0 heard now writes that disk. The words lost-primary.ts puts on such a
 * line when the controller has that Dom0's last report. Null when D does not count RESOURCE as
 * HOST reports it (a Dom0 heard now holds it Primary, or a report, current or last, shows all on it running).
 */
export function downWithUnreportedResourceText(d: DownWithUnreported, resource: string, host: string): string | null {
  const domus = d.domusOf.get(resource);
  if (domus === undefined || !d.heardOn.includes(host)) return null;
  const one = domus.length === 1;
  return (
    `${d.host} has not reported since the controller started and ${host} is Secondary, cut off from it, so no Dom0 heard now writes ${resource}: ` +
    `if ${d.host} is down, ${named(domus)} ${one ? 'is' : 'are'} down with it (README, section "${DEAD_DOM0_SECTION}"); start ${one ? 'it' : 'them'} elsewhere only once ${d.host} is surely off`
  );
}

/** "web1 and web2 may be down with xen1", for a status line or a summary */
export const downWithUnreportedShort = (d: DownWithUnreported): string => `${named(d.domus)} may be down with ${d.host}`;

/**
 * PROBLEMS with DOWNS said on the lines of the Dom0s they name: within the start-up grace the
 * CRITICAL line of each such Dom0 not reported yet (enrolment-check.ts unreportedWithDowns), after
 * it each one's own unreachable line. Either alone reads as "wait for it".
 */
export function withDownWithUnreported(problems: readonly CheckProblem[], downs: ReadonlyMap<string, DownWithUnreported>): CheckProblem[] {
  if (downs.size === 0) return [...problems];
  return problems.map((p) => {
    const d = p.kind === 'host-unreachable' || p.kind === 'host-not-reported' ? downs.get(p.subject) : undefined;
    return d === undefined ? p : { ...p, text: `${p.text}; ${downWithUnreportedText(d)}` };
  });
}
