import type { WhereMatch } from '../../shared/protocol/ctl-where.js';
import { LINK_LONGEST_RETRY_WAIT_MS, reconnectSpreadMs } from '../../shared/protocol/agent-link.js';
import type { Freshness, HostRecord } from './host-record.js';

/**
 * Which Dom0s belong to the fleet, as tokens.json says (a host with an agent token), and since
 * when this controller listens. The fleet index only knows hosts that connected since the
 * controller started; this is how it knows of the others: a dead Dom0 is not simply unknown.
 */
export interface Enrolment {
  /** when this controller process started (its clock): nothing was heard before */
  readonly startedAt: number;
  /** the hosts with an agent token */
  readonly hosts: ReadonlySet<string>;
  /** the enrolled hosts that have not reported their state since the controller started */
  readonly unreported: ReadonlySet<string>;
  /**
   * hosts this controller forgot (revoked while, or before, their link went down), with when it
   * last heard from them (null: never since it started); not kept across a restart
   */
  readonly forgotten: ReadonlyMap<string, number | null>;
}

/**
 * A record the controller made for an enrolled host it has not heard from at all: no link, no
 * word, no state. It is no report: it stands for a Dom0 that should be there.
 */
export const isPlaceholder = (r: HostRecord): boolean => r.lastSeen === null && !r.linkUp && r.state === null;

/**
 * While agents reconnect after the controller's start, an enrolled host not heard from yet is no
 * news, only a gap. An agent whose link broke first waits up to the reconnect spread a controller
 * of ENROLLEDHOSTS Dom0s tells it (reconnectSpreadMs: 20 s for 2,000), one that found the
 * controller down then waits up to LINK_LONGEST_RETRY_WAIT_MS between tries (90 s), and it reports
 * within one staleAfter of connecting: a controller upgrade that took a minute must not page for
 * every Dom0, nor a large fleet for the Dom0s still within their spread.
 */
export const startupGraceMs = (staleAfterMs: number, enrolledHosts: number): number => reconnectSpreadMs(enrolledHosts) + LINK_LONGEST_RETRY_WAIT_MS + staleAfterMs;
export const inStartupGrace = (e: Enrolment, fresh: Freshness): boolean => fresh.now - e.startedAt < startupGraceMs(fresh.staleAfterMs, e.hosts.size);

/**
 * The where matches while enrolled hosts are unheard (UNREPORTED of them): a domU found running
 * nowhere may run on one of them, so that answer is not vouched for (reachable: false, stale).
 * MATCHES itself when every enrolled host reported: the exact-name hot path pays one comparison.
 */
export function whereWithUnreported(matches: WhereMatch[], unreported: number): WhereMatch[] {
  if (unreported === 0) return matches;
  return matches.map((m) => (m.places.length === 0 && m.reachable ? { ...m, reachable: false } : m));
}
