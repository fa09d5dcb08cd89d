import type { Freshness, HostRecord } from './host-record.js';
import type { CheckProblem } from './check-conditions.js';
import type { FleetIndex } from './fleet-index.js';
import { inStartupGrace, isPlaceholder, type Enrolment } from './enrolment.js';
import { spanText } from '../../shared/text/span-text.js';
import { downWithUnreportedShort, type DownWithUnreported } from './down-with-unreported.js';

/**
 * What `check` says of enrolled Dom0s the controller has not heard from since it started. Within
 * the start-up grace the view is incomplete: one WARNING for them all (not OK, not yet CRITICAL:
 * their agents may still be reconnecting). After it, each one never heard from at all is
 * CRITICAL, as an unreachable agent is; one that connected and fell silent is unreachableHosts'.
 */
export function enrolledSilence(index: FleetIndex, fresh: Freshness, e: Enrolment | undefined): CheckProblem[] {
  if (e === undefined || e.unreported.size === 0) return [];
  const up = spanText(fresh.now - e.startedAt);
  if (inStartupGrace(e, fresh)) {
    const k = `${e.unreported.size} of ${e.hosts.size} enrolled Dom0${e.hosts.size === 1 ? '' : 's'}`;
    const have = e.unreported.size === 1 ? 'has' : 'have';
    return [{ status: 'WARNING', kind: 'hosts-not-reported', subject: k, short: `${k} not reported yet`, text: `the controller started ${up} ago; ${k} ${have} not reported yet: the view is incomplete` }];
  }
  const out: CheckProblem[] = [];
  for (const host of e.unreported) {
    const r = index.record(host);
    if (r === undefined || !isPlaceholder(r)) continue;
    // its maintenance state lives on its agent: a Dom0 down for planned work looks the same until it reports
    out.push({ status: 'CRITICAL', kind: 'host-unreachable', subject: host, short: `${host} unreachable`, text: `${host}: agent unreachable (not heard from since the controller started ${up} ago; enrolled; its maintenance state is unknown until it reports)` });
  }
  return out;
}

/**
 * Within the start-up grace, each Dom0 not reported yet whose DRBD partners say what may be down with
 * it (DOWNS): CRITICAL at once, not left to the grace's one WARNING. The evidence is the same as for
 * a Dom0 that held a resource Primary when last heard (lost-primary.ts): its partners Secondary and
 * cut off from it, none Primary, the domUs running on no Dom0 that reports. An agent still dialling
 * cuts no DRBD link, so waiting out the grace (a minute and more) only delays the page for domUs
 * that are down. The line's end (what may be down, the runbook) is withDownWithUnreported's.
 */
export function unreportedWithDowns(fresh: Freshness, e: Enrolment | undefined, downs: ReadonlyMap<string, DownWithUnreported>): CheckProblem[] {
  if (e === undefined || !inStartupGrace(e, fresh)) return [];
  const up = spanText(fresh.now - e.startedAt);
  return [...downs.values()]
    .filter((d) => e.unreported.has(d.host))
    .map((d): CheckProblem => ({ status: 'CRITICAL', kind: 'host-not-reported', subject: d.host, short: `${downWithUnreportedShort(d)} (not reported yet)`, text: `${d.host}: not heard from since the controller started ${up} ago (enrolled; within the start-up grace, but its DRBD partners are cut off from it)` }));
}

/** The records enrolledSilence speaks for, which unreachableHosts must not name a second time. */
export const spokenForByEnrolment = (e: Enrolment | undefined, fresh: Freshness) => (r: HostRecord): boolean =>
  e !== undefined && e.unreported.has(r.host) && (inStartupGrace(e, fresh) || isPlaceholder(r));
