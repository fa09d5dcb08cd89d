import type { Maintenance } from '../../shared/protocol/agent-link-values.js';
import { withUnheardAdvice, type RefusedAgent } from './refused-agents.js';
import type { Alert } from '../../shared/protocol/ctl-api.js';
import type { FinishedJob } from '../../shared/protocol/ctl-jobs.js';
import { CHECK_SEVERITY, CHECK_TEXT_MAX, type CheckAnswer, type CheckDetail, type CheckStatus, type CheckThresholds, type Perfdatum } from '../../shared/protocol/ctl-check.js';
import { domusAwayFromHome } from './away-from-home.js';
import { crashedDomus, runsSomewhere } from './crashed-domus.js';
import { alertProblems, awayFromOnlineHome, clocksOff, deferredDomus, unreachableHosts, type CheckProblem } from './check-conditions.js';
import { drbdNotUpToDate } from './drbd-degraded.js';
import { withLostPrimaries } from './lost-primary.js';
import { downWithUnreportedOf, withDownWithUnreported } from './down-with-unreported.js';
import { foreignRunners } from './foreign-claims.js';
import { isLive } from './live-row.js';
import { lookShortlist } from './look-shortlist.js';
import { unheldMaintenance } from './unheld-maintenance.js';
import { maintenanceLong } from './maintenance-long.js';
import { enrolledSilence, spokenForByEnrolment, unreportedWithDowns } from './enrolment-check.js';
import { inStartupGrace, isPlaceholder, type Enrolment } from './enrolment.js';
import { spanText } from '../../shared/text/span-text.js';
import type { FleetIndex } from './fleet-index.js';
import { isReachable, type Freshness } from './host-record.js';
import { certificatePerfdatum, certificateProblem, type ServerCertificate } from './server-certificate.js';
import { heldByMaintenance } from './held-by-maintenance.js';
import { downForLostRecord, downGuarded } from './down-guarded.js';
import { unseenOnlyUnreported } from './unseen-places.js';
import { problemSummary, ranked } from './check-summary.js';
import { viewsNotCurrent } from './view-not-current.js';
import { stateDisksLow } from './state-disk-check.js';

const perf = (label: string, value: number, o: Partial<Omit<Perfdatum, 'label' | 'value'>> = {}): Perfdatum => ({
  label,
  value,
  uom: o.uom ?? '',
  warn: o.warn ?? null,
  crit: o.crit ?? null,
  min: o.min ?? 0,
  max: o.max ?? null,
});

const seconds = (ms: number): number => Math.round(ms / 1000);

/**
 * The monitoring verdict over the fleet view, as a Nagios plugin reports it: the worst status of
 * every problem found (conditions in check-conditions.ts), a status line naming the worst ones,
 * one line per problem, and performance data. A controller no agent has reported to yet knows
 * nothing about the fleet: UNKNOWN, not OK.
 */
export function checkFleet(index: FleetIndex, alerts: readonly Alert[], fresh: Freshness, t: CheckThresholds, jobHosts: ReadonlySet<string> = new Set(), enrolment?: Enrolment, certificate?: ServerCertificate, refused: (host: string) => RefusedAgent | undefined = () => undefined, ended: readonly FinishedJob[] = []): CheckAnswer {
  const records = [...index.hostRecords()];
  const away = domusAwayFromHome(index);
  const deferred = deferredDomus(index, fresh, t);
  const unrecorded = new Map(alerts.filter((a) => a.kind === 'away-unrecorded').map((a) => [a.subject, a.since]));
  const notHome = awayFromOnlineHome(index, away, fresh, t, (name) => unrecorded.get(name) ?? null);
  // a Dom0 not heard since this controller started has no last report: its DRBD partners say what may be down with it
  const downs = downWithUnreportedOf(index, fresh, enrolment?.unreported ?? []);
  // a link waiting for a Dom0 still within the start-up grace waits for one "not reported yet", as status and hosts call it
  const notYet = enrolment !== undefined && inStartupGrace(enrolment, fresh) ? enrolment.unreported : new Set<string>();
  const waitsNotYet = (p: CheckProblem): boolean => (p.waitsFor !== undefined ? notYet.has(p.waitsFor) : p.waitsForAll !== undefined && p.waitsForAll.every((h) => notYet.has(h)));
  const drbd = drbdNotUpToDate(index, fresh, downs).map((p): CheckProblem => (waitsNotYet(p) ? { ...p, notReportedYet: true } : p));
  // within the start-up grace a domU not seen running only for want of Dom0s still reconnecting is theirs to say: one WARNING
  const silence = enrolledSilence(index, fresh, enrolment);
  const waiting = silence.some((p) => p.kind === 'hosts-not-reported');
  const awaited = (p: CheckProblem): boolean => waiting && p.status === 'WARNING' && (p.kind === 'start-deferred' || p.kind === 'down-in-maintenance' || p.kind === 'down-guarded') && unseenOnlyUnreported(index, p.subject, fresh);
  const perDomu = [...deferred.problems, ...heldByMaintenance(index, fresh, t, jobHosts), ...downGuarded(index, fresh, jobHosts)];
  const unseen = perDomu.filter(awaited);
  // the controller's own certificate first: when it goes, every link goes
  const cert = certificate === undefined ? null : certificateProblem(certificate, fresh.now);
  const said = unseen.length === 0 ? silence : silence.map((p) => (p.kind === 'hosts-not-reported' ? { ...p, text: `${p.text}; until they report, ${unseenNames(unseen)} not seen running` } : p));
  const crashed = crashedDomus(index, fresh);
  const groups = [cert === null ? [] : [cert], [...withDownWithUnreported(withLostPrimaries(withUnheardAdvice([...said, ...unreportedWithDowns(fresh, enrolment, downs), ...unreachableHosts(index, fresh, spokenForByEnrolment(enrolment, fresh))], refused), drbd), downs), ...viewsNotCurrent(index, fresh)], stateDisksLow(index, fresh), crashed, alertProblems(alerts, index, fresh), perDomu.filter((p) => !unseen.includes(p)), notHome.problems, drbd, clocksOff(index, fresh), unheldMaintenance(index, fresh, jobHosts, ended), maintenanceLong(index, fresh, t, jobHosts, away)];
  // every one of them, however many: the API answer is not a plugin's output (xenherdctl bounds what it prints)
  const problems = ranked(groups.flat());
  const hosts = records.length;
  const unreachable = records.filter((r) => !isReachable(r, fresh.now, fresh.staleAfterMs)).length;
  // the domUs check's CRITICAL lines name crashed: none of them is running unless a copy of it runs elsewhere
  const crashedNames = new Set(crashed.map((p) => p.subject));
  // with those a lost boot record keeps down until an operator acts, as /metrics' xenherd_domus_down counts them:
  // a graph and the pager never disagree
  const downNames = new Set([...perDomu.filter((p) => p.kind === 'down-guarded' && p.status === 'CRITICAL').map((p) => p.subject), ...downForLostRecord(index, fresh, jobHosts)]);
  const { running, unknown } = countRunning(index, crashedNames, fresh);
  const inState = (state: Maintenance['state']): number => records.filter((r) => r.state !== null && r.state.maintenance.state === state).length;
  const perfdata = [
    perf('hosts', hosts),
    perf('hosts_unreachable', unreachable, { max: hosts }),
    // not online: draining, in maintenance or restoring, as it always counted (status's "not online");
    // graphs of it keep their meaning, and hosts_draining and hosts_restoring below tell the states apart
    perf('hosts_in_maintenance', records.filter((r) => r.state !== null && r.state.maintenance.state !== 'online').length, { max: hosts }),
    perf('domus_running', running),
    perf('domus_away', away.length),
    perf('alerts', alerts.length),
    perf('drbd_not_uptodate', drbd.length),
    perf('deferred_max_s', seconds(deferred.maxMs), { uom: 's', warn: String(seconds(t.warnDeferredMs)), crit: String(seconds(t.critDeferredMs)) }),
    perf('not_home_max_s', seconds(notHome.maxMs), { uom: 's', crit: String(seconds(t.notHomeAfterMs)) }),
    // last, not beside hosts_in_maintenance: some graphers (PNP4Nagios) number a check's values by their place
    perf('hosts_draining', inState('draining'), { max: hosts }),
    perf('hosts_restoring', inState('restoring'), { max: hosts }),
    // only with TLS, and so always or never for one controller: its place never moves
    ...(certificate === undefined ? [] : [certificatePerfdatum(certificate, fresh.now)]),
    // after every datum a controller gave before it, so none of theirs changes place
    perf('domus_crashed', crashedNames.size),
    // after domus_crashed, newer still: the guarded domUs known down (not those a Dom0 unheard may run)
    perf('domus_down', downNames.size),
    // after domus_down, newer still: domUs only a Dom0 unheard last listed live, in no other count
    perf('domus_unknown', unknown),
  ];
  const base = { at: fresh.now, perfdata, thresholds: t };
  // placeholders of enrolled hosts are no reports: with none heard from, the controller knows nothing
  // yet (UNKNOWN), until the start-up grace is over: then a fleet all silent is CRITICAL, not unknown
  // a certificate near or past its end is said even then, above UNKNOWN: it may be why no agent reports
  if (records.every(isPlaceholder) && !silence.some((p) => p.status === 'CRITICAL')) {
    const summary = `no Dom0 has reported to this controller yet${enrolledSince(enrolment, fresh)}${cert === null ? '' : `; ${cert.short}`}`;
    return { ...base, status: cert === null ? 'UNKNOWN' : cert.status, summary, details: cert === null ? [] : [detailOf(cert)] };
  }
  const status = problems.reduce<CheckStatus>((worst, p) => (CHECK_SEVERITY[p.status] > CHECK_SEVERITY[worst] ? p.status : worst), 'OK');
  return { ...base, status, summary: bounded(summaryOf(problems, { hosts, running, away: away.length })), details: problems.map(detailOf) };
}

/** "web1, web2 and 3 more": the domUs the start-up WARNING speaks for */
function unseenNames(ps: readonly CheckProblem[]): string {
  const names = [...new Set(ps.map((p) => p.subject))];
  return names.length <= 5 ? names.join(', ') : `${names.slice(0, 5).join(', ')} and ${names.length - 5} more`;
}

/**
 * TEXT cut to what the answer's schema takes: a line naming many domUs, or a split brain's sides with
 * long names, would otherwise make xenherdctl refuse the whole answer, and Nagios read UNKNOWN.
 */
const bounded = (text: string): string => (text.length > CHECK_TEXT_MAX ? `${text.slice(0, CHECK_TEXT_MAX - 1)}…` : text);

const detailOf = (p: CheckProblem): CheckDetail => ({ status: p.status, text: bounded(p.text), kind: p.kind, subject: p.subject, ...(p.waitsFor === undefined ? {} : { waitsFor: p.waitsFor }), ...(p.waitsForAll === undefined ? {} : { waitsForAll: [...p.waitsForAll] }), ...(p.mayBeDown === undefined ? {} : { mayBeDown: [...p.mayBeDown] }), ...(p.notReportedYet === undefined ? {} : { notReportedYet: true }) });

/** " (it started 12 s ago; 3 Dom0s enrolled)", when tokens.json names any */
function enrolledSince(e: Enrolment | undefined, fresh: Freshness): string {
  if (e === undefined || e.hosts.size === 0) return '';
  return ` (it started ${spanText(fresh.now - e.startedAt)} ago; ${e.hosts.size} Dom0${e.hosts.size === 1 ? '' : 's'} enrolled)`;
}

/**
 * domUs with a live row on a reachable host, a plain row from a host holding nothing of the domU
 * aside (as `where` leaves it out: foreign-claims.ts), and one CRASHED names aside unless a copy of
 * it runs (crashed-domus.ts runsSomewhere). A silent Dom0's last report is no word that its guests
 * run now (a dead Dom0's are down): the domUs only such a report lists live are counted apart, as
 * unknown, as `status` counts them. A reachable host whose view of its domains is behind still counts: that lasts seconds
 * mid-migration, and its own WARNING says when it lasts. The domUs live on one Dom0 alone, almost
 * every domU of a fleet, are counted by their Dom0 (look-shortlist.ts liveAloneCount, kept as the
 * index changes), so a check asks only the others, not every domU.
 */
export function countRunning(index: FleetIndex, crashed: ReadonlySet<string>, fresh: Freshness): { running: number; unknown: number } {
  const heard = new Map<string, boolean>();
  const reachable = (host: string): boolean => {
    let r = heard.get(host);
    if (r === undefined) {
      const rec = index.record(host);
      r = rec !== undefined && isReachable(rec, fresh.now, fresh.staleAfterMs);
      heard.set(host, r);
    }
    return r;
  };
  // whether a host holds the domU, from the few the index keeps as run by a host holding nothing of them: not asked row by row
  const foreign = foreignRunners(index);
  const holds = (name: string, host: string): boolean => foreign.get(name)?.includes(host) !== true;
  let running = 0;
  let unknown = 0;
  // a domU live on one Dom0 alone is running if that Dom0 is heard, unknown if not: counted by Dom0
  const { liveAloneCount, liveAloneOn, runningOnSeveral } = lookShortlist(index);
  for (const [host, n] of liveAloneCount) {
    if (reachable(host)) running += n;
    else unknown += n;
  }
  // those a host holding nothing of them runs, crashed ones and those on several Dom0s: each asked in full
  for (const name of new Set([...runningOnSeveral, ...foreign.keys(), ...crashed])) {
    const byHost = index.running.get(name);
    if (byHost === undefined) continue;
    const counted = liveAloneOn.get(name);
    if (counted !== undefined) {
      if (reachable(counted)) running--;
      else unknown--;
    }
    let live = false;
    let liveUnheard = false;
    for (const [host, rows] of byHost) {
      let here = false;
      for (const d of rows) if (isLive(d) && (d.migration !== null || holds(name, host))) here = true;
      if (!here) continue;
      if (reachable(host)) live = true;
      else liveUnheard = true;
      if (live) break;
    }
    if (live && (!crashed.has(name) || runsSomewhere(byHost, (host) => reachable(host) && holds(name, host)))) running++;
    else if (!live && liveUnheard) unknown++;
  }
  return { running, unknown };
}

function summaryOf(problems: readonly CheckProblem[], n: { hosts: number; running: number; away: number }): string {
  if (problems.length === 0) {
    const away = n.away > 0 ? `, ${n.away} away from a home not online` : '';
    return `${n.hosts} host${n.hosts === 1 ? '' : 's'} reachable, ${n.running} domU${n.running === 1 ? '' : 's'} running${away}`;
  }
  return problemSummary(problems);
}
