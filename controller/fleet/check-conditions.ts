import type { Alert, AlertKind } from '../../shared/protocol/ctl-api.js';
import type { CheckStatus, CheckThresholds } from '../../shared/protocol/ctl-check.js';
import type { CheckKind } from '../../shared/protocol/ctl-check-kinds.js';
import type { AwayDomu } from './away-from-home.js';
import { spanText } from '../../shared/text/span-text.js';
import { utcSecondText } from '../../shared/text/utc-time.js';
import { AGENT_RESTART_GRACE_MS, cleanStopAt, cleanStopWords, restartingSince } from './agent-stop.js';
import { reportsElsewhereSince, reportsElsewhereWords } from './reports-elsewhere.js';
import { isLive } from './live-row.js';
import type { FleetIndex } from './fleet-index.js';
import { subjectName } from './finding.js';
import { holdsNothingOf } from './foreign-claims.js';
import { unseenPlaces } from './unseen-places.js';
import { unsettledOf } from './unsettled.js';
import { viewNotCurrent } from './view-not-current.js';
import { ageOf, currentMaintenanceSince, isReachable, onControllerClock, type Freshness, type HostRecord } from './host-record.js';

/** An unheard Dom0 HOST held RESOURCE Primary when last heard, running DOMUS on it; HEARDON, heard now, is Secondary and cut off from it. */
export interface LostPrimary {
  readonly host: string;
  readonly resource: string;
  readonly domus: readonly string[];
  readonly heardOn: string;
}

/**
 * One thing wrong with the fleet: `short` goes on the status line when few things are wrong,
 * `text` on a line of its own. When many are, the status line counts them by `kind` and names
 * some by `subject` (a host, a domU, a resource), and xenherdctl folds a kind into one line.
 */
export interface CheckProblem {
  readonly status: Exclude<CheckStatus, 'OK'>;
  readonly kind: CheckKind;
  readonly subject: string;
  readonly short: string;
  readonly text: string;
  /**
   * Within its kind, lower ranks first (absent: 0), before the subject's order: a kind whose
   * problems are not all alike puts the ones a person must act on ahead of those that follow from
   * another line (drbd-degraded.ts).
   */
  readonly rank?: number;
  /** The unreachable Dom0 this problem only waits for (it clears when that Dom0 is back): xenherdctl says such problems once per Dom0. */
  readonly waitsFor?: string;
  /** Without waitsFor: the unreachable Dom0s (two or more, in name order) this problem only waits for, none named by its words, as ctl-check.ts `waitsForAll` (sent). */
  readonly waitsForAll?: readonly string[];
  /** The unreachable Dom0s that held this resource Primary when last heard, no Dom0 heard now holding it: what each ran there is down if it is (lost-primary.ts). Not sent: each Dom0's own line says it. */
  readonly lostPrimaries?: readonly LostPrimary[];
  /** With waitsFor: the domUs down with that Dom0 if it is down, as ctl-check.ts `mayBeDown` (sent). */
  readonly mayBeDown?: readonly string[];
  /** With waitsFor: that Dom0 is not reported yet within the start-up grace, as ctl-check.ts `notReportedYet` (sent). */
  readonly notReportedYet?: true;
}

/**
 * An agent the controller cannot hear is CRITICAL: its domUs may be down and nobody would know.
 * Only a host whose last word was that it is in maintenance (empty, out of service: a reboot is
 * expected) is a WARNING, and one whose agent said it is stopping, for AGENT_RESTART_GRACE_MS
 * (agent-stop.ts): its domUs run on, and a restart is back within seconds. One whose agent went
 * back to the primary controller is a WARNING as long as it stays there (reports-elsewhere.ts): it
 * is heard, only not here. SPOKEN_FOR: records
 * another condition speaks for.
 */
export function unreachableHosts(index: FleetIndex, fresh: Freshness, spokenFor: (r: HostRecord) => boolean = () => false): CheckProblem[] {
  const out: CheckProblem[] = [];
  for (const r of index.hostRecords()) {
    // an enrolled host not heard from since the controller started has its own words (enrolment-check.ts)
    if (isReachable(r, fresh.now, fresh.staleAfterMs) || spokenFor(r)) continue;
    const elsewhere = reportsElsewhereSince(r);
    if (elsewhere !== null) {
      // not lost: its agent reports to the primary again, which is the one to ask (xenherdctl with both URLs does)
      const words = reportsElsewhereWords(r.host, elsewhere);
      out.push({ status: 'WARNING', kind: 'reports-elsewhere', subject: r.host, short: words, text: `${words}: its agent went back to the primary controller; ask that one about it` });
      continue;
    }
    const age = ageOf(r, fresh.now);
    const stop = cleanStopAt(r);
    const stopped = stop === null ? '' : `; its agent stopped cleanly at ${utcSecondText(stop)}`;
    const heard = `${r.state === null && r.linkUp ? 'connected but has not reported its state yet' : age === null ? 'never heard from' : `last heard ${spanText(age)} ago`}${stopped}`;
    if (r.state?.maintenance.state === 'maintenance') {
      out.push({ status: 'WARNING', kind: 'host-unreachable-in-maintenance', subject: r.host, short: `${r.host} unreachable (in maintenance)`, text: `${r.host}: agent unreachable (${heard}); its last report said it is in maintenance` });
    } else if (stop !== null && restartingSince(r, fresh.now) !== null) {
      // a restart on its way (an upgrade, systemctl restart): a page per Dom0 of a rolling upgrade would teach people to ignore this one
      const by = utcSecondText(stop + AGENT_RESTART_GRACE_MS);
      out.push({ status: 'WARNING', kind: 'agent-stopped', subject: r.host, short: cleanStopWords(r.host, stop), text: `${cleanStopWords(r.host, stop)}: CRITICAL if it has not reported again by ${by}` });
    } else out.push({ status: 'CRITICAL', kind: 'host-unreachable', subject: r.host, short: `${r.host} unreachable`, text: `${r.host}: agent unreachable (${heard}${stop === null ? '' : ` and is not back within ${spanText(AGENT_RESTART_GRACE_MS)}`})` });
  }
  return out;
}

/** A Dom0 clock this far from the controller's is a WARNING: its logs and records disagree with the fleet's. */
export const CLOCK_OFF_WARN_MS = 60_000;

/**
 * Reachable hosts whose clock is off the controller's by more than CLOCK_OFF_WARN_MS (as the `at`
 * of their messages shows). The times their agents record are read corrected meanwhile
 * (host-record.ts onControllerClock), but their own logs, ledgers and certificates checks are not.
 */
export function clocksOff(index: FleetIndex, fresh: Freshness): CheckProblem[] {
  const out: CheckProblem[] = [];
  for (const r of index.hostRecords()) {
    const ahead = r.clockAheadMs ?? 0;
    if (Math.abs(ahead) <= CLOCK_OFF_WARN_MS || !isReachable(r, fresh.now, fresh.staleAfterMs)) continue;
    const off = `${spanText(Math.abs(ahead))} ${ahead > 0 ? 'ahead of' : 'behind'}`;
    out.push({ status: 'WARNING', kind: 'clock-off', subject: r.host, short: `${r.host} clock ${off} the controller's`, text: `${r.host}: its clock is ${off} the controller's: set its time right (NTP); the times its agent records are read corrected meanwhile` });
  }
  return out;
}

/**
 * A split brain in the making, or a migration whose outcome nobody knows, is CRITICAL; a
 * configuration the fleet disagrees on is a WARNING. A claim from a Dom0 holding nothing of the
 * domU (foreign-claims.ts) is as bad as what it imitates: a running copy or an unsettled
 * migration record CRITICAL (an agent misconfigured or compromised, or another domain of that name
 * running), a home claim alone a WARNING (foreignStatus).
 */
const ALERT_STATUS: Readonly<Record<AlertKind, CheckProblem['status']>> = {
  'running-on-two-hosts': 'CRITICAL',
  'drbd-primary-on-both': 'CRITICAL',
  'migration-stranded': 'CRITICAL',
  'migration-unsettled': 'CRITICAL',
  'home-claimed-twice': 'WARNING',
  'ledger-away-not-there': 'WARNING',
  'away-unrecorded': 'WARNING',
  'foreign-claim': 'CRITICAL',
};

/** Whether HOST reports NAME running as a plain row. */
const foreignRuns = (index: FleetIndex, name: string, host: string): boolean => index.running.get(name)?.get(host)?.some((d) => d.migration === null && isLive(d)) === true;

/** Whether HOST's ledger keeps a migration of NAME as unsettled. */
const foreignUnsettled = (index: FleetIndex, name: string, host: string): boolean => index.unsettled.get(name)?.has(host) === true;

/**
 * A foreign claim's status: CRITICAL while its host reports NAME running or keeps an unsettled
 * migration of it (what it imitates is CRITICAL: a second copy, a move whose ending nobody knows),
 * a WARNING for a home claim alone.
 */
const foreignStatus = (index: FleetIndex, name: string, host: string): CheckProblem['status'] =>
  foreignRuns(index, name, host) || foreignUnsettled(index, name, host) ? 'CRITICAL' : 'WARNING';

function alertShort(a: Alert, index: FleetIndex): string {
  switch (a.kind) {
    case 'foreign-claim': {
      // NAME@HOST: a running copy, home claim or unsettled record from a Dom0 that holds nothing of NAME (foreign-claims.ts)
      const [name, host] = a.subject.split('@');
      const claim = foreignRuns(index, name ?? '', host ?? '') ? 'reports it running' : foreignUnsettled(index, name ?? '', host ?? '') ? 'keeps a migration of it unsettled' : 'claims to be its home';
      return `${name}: ${host}, which holds nothing of it, ${claim} (check its agent)`;
    }
    case 'running-on-two-hosts':
      return `${a.subject} runs on ${a.hosts.join(' and ')}`;
    case 'drbd-primary-on-both':
      return `DRBD ${subjectName(a.subject)} Primary on ${a.hosts.join(' and ')}`;
    case 'home-claimed-twice':
      return `${a.subject} claimed as home by ${a.hosts.join(' and ')}`;
    case 'ledger-away-not-there':
      return `${a.subject} not where its home's ledger says`;
    case 'away-unrecorded':
      return `${a.subject} away from home, no ledger records it`;
    case 'migration-stranded': {
      // NAME@HOST: a receiving half no migration explains (incoming-halves.ts), or a half of either
      // kind on a host without NAME's disks (foreign-halves.ts): named as HOST reports it
      const [name, host] = a.subject.split('@');
      const row = index.record(host ?? '')?.state?.domains.find((d) => d.baseName === name && d.migration !== null)?.name;
      if (host !== undefined) return `${name}: ${row ?? 'a migration half'} stands on ${host}, no migration explains it`;
      return `${a.subject}: a migration ended without its handshake (${a.hosts.join(', ')})`;
    }
    case 'migration-unsettled': {
      const [name, host] = a.subject.split('@');
      return `${name}: a migration ${host} ran ended unknown, not reconciled`;
    }
  }
}

/**
 * The check's line for each alert. A home's ledger saying a domU is away on a host that reports
 * and does not run it is a WARNING while the domU runs somewhere (a record out of step); running
 * nowhere it is down, which a move cut short after its shutdown leaves it: CRITICAL, unless a Dom0
 * that could run it is unheard (unseen-places.ts): then it is not known down.
 */
export const alertProblems = (alerts: readonly Alert[], index: FleetIndex, fresh: Freshness): CheckProblem[] =>
  alerts.map((a) => {
    const down = a.kind === 'ledger-away-not-there' && !runsSomewhere(index, a.subject) && unseenPlaces(index, a.subject, fresh).length === 0;
    // a foreign claim is told by domU and host: it is about that host's agent, and one agent may claim many
    if (a.kind === 'foreign-claim') {
      const [name, host] = a.subject.split('@');
      return { status: foreignStatus(index, name ?? '', host ?? ''), kind: a.kind, subject: a.subject, short: alertShort(a, index), text: `alert ${a.kind}: ${a.message}` };
    }
    return { status: down ? 'CRITICAL' : ALERT_STATUS[a.kind], kind: down ? 'down-ledger-says-away' : a.kind, subject: subjectName(a.subject), short: down ? `${a.subject} runs nowhere, its home's ledger says it is away` : alertShort(a, index), text: `alert ${a.kind}: ${a.message}` };
  });

/** Whether any host reports a live, plain (not migrating) row of NAME, a host holding nothing of NAME aside (foreign-claims.ts). */
const runsSomewhere = (index: FleetIndex, name: string): boolean =>
  [...(index.running.get(name) ?? [])].some(([host, rows]) => rows.some((d) => d.migration === null && isLive(d)) && holdsNothingOf(index, name, host) === null);

/** How long ago an ISO time the agent of R reported was, on the controller's clock; null when unreadable. */
export function agoOf(r: HostRecord, iso: string, now: number): number | null {
  const t = onControllerClock(r, iso);
  return Number.isNaN(t) ? null : Math.max(0, now - t);
}

/**
 * Guarded domUs the reachable agents defer (waiting for DRBD to be safe) and that run nowhere:
 * a domU down and not being started. One the fleet sees running elsewhere is not down, and one a
 * Dom0 that could run it has not told about is not known down (unseen-places.ts). `since` is
 * when the agent's decision last changed kind or reason (the agent's clock, read on the controller's).
 */
export function deferredDomus(index: FleetIndex, fresh: Freshness, t: CheckThresholds): { problems: CheckProblem[]; maxMs: number } {
  const problems: CheckProblem[] = [];
  let maxMs = 0;
  for (const r of reachableWithState(index, fresh)) {
    for (const g of r.state.guarded) {
      if (g.decision !== 'defer' || runsSomewhere(index, g.name)) continue;
      // its host cannot list its domains: it may well run there; that host's own line says so (view-not-current.ts)
      const unlisted = g.reason === 'domains-unknown';
      if (unlisted && viewNotCurrent(r)) continue;
      const age = agoOf(r, g.since, fresh.now) ?? 0;
      maxMs = Math.max(maxMs, age);
      // a Dom0 that could run it unheard: not known down (unseen-places.ts), and that Dom0's own line is the CRITICAL one
      const unseen = unlisted ? [] : unseenPlaces(index, g.name, fresh);
      const status = age >= t.critDeferredMs && unseen.length === 0 ? 'CRITICAL' : age >= t.warnDeferredMs ? 'WARNING' : null;
      if (status === null) continue;
      const why = `${g.reason ?? 'deferred'}${g.detail ? `: ${g.detail}` : ''}`;
      // an agent that does not tell its view (no link feature view-lag) says it only by this reason
      const where = unlisted
        ? `unknown whether it runs: ${r.host} cannot list its domains (xl list), and defers its start`
        : unseen.length > 0
          ? `not seen running (unknown whether it runs on ${unseen.join('; ')}), its start deferred on ${r.host}`
          : `not running anywhere, its start deferred on ${r.host}`;
      problems.push({ status, kind: 'start-deferred', subject: g.name, short: `${g.name} deferred ${spanText(age)} on ${r.host}`, text: `${g.name}: ${where} for ${spanText(age)} (${why})` });
    }
  }
  return { problems, maxMs };
}

/**
 * DomUs away from a home that is online: a WARNING while the home has been online (or the domU
 * away, if it left later) for less than notHomeAfter, CRITICAL after. When it left is what a
 * ledger records; for a move no ledger records (a migration by hand), it is when the controller
 * first saw it so (UNRECORDED_SINCE: its away-unrecorded alert); before that alert, it is
 * unknown, and only a WARNING: the home's coming online may be weeks before the move. A home in
 * maintenance, draining or restoring is expected to be empty; an unreachable home is reported as
 * such.
 */
export function awayFromOnlineHome(
  index: FleetIndex,
  away: readonly AwayDomu[],
  fresh: Freshness,
  t: CheckThresholds,
  unrecordedSince: (name: string) => number | null,
): { problems: CheckProblem[]; maxMs: number } {
  const problems: CheckProblem[] = [];
  let maxMs = 0;
  for (const a of away) {
    const home = index.record(a.home);
    if (!home?.state || !isReachable(home, fresh.now, fresh.staleAfterMs) || home.state.maintenance.state !== 'online') continue;
    const onlineSince = currentMaintenanceSince(home);
    const recorded = a.leftAt === null ? Number.NaN : onControllerClock(index.record(a.leftAt.host), a.leftAt.iso);
    const left = Number.isNaN(recorded) ? unrecordedSince(a.name) : recorded;
    // when the home came online is unknown, it may have been a minute ago: never a guess at CRITICAL
    const since = left === null || onlineSince === null ? null : countsFromOnline(home, a, recorded) ? Math.max(onlineSince, left) : left;
    const where = `${a.name} runs on ${a.runningOn.join(' and ')}, not on its home ${a.home}, which is online`;
    // the page names the way back: a restore of the home sends its domUs running elsewhere home; one
    // with an unsettled migration every plan leaves alone, so until it is settled restore skips it
    const back = unsettledOf(index, a.name).length > 0
      ? `: once its migration-unsettled alert is settled, xenherdctl restore ${a.home} brings it home (until then restore leaves it where it is)`
      : `: xenherdctl restore ${a.home} brings it home`;
    if (since === null) {
      problems.push({ status: 'WARNING', kind: 'away-from-home', subject: a.name, short: `${a.name} away from ${a.home}`, text: `${where} (since when is unknown)${back}` });
      continue;
    }
    const age = Math.max(0, fresh.now - since);
    maxMs = Math.max(maxMs, age);
    const basis = since === onlineSince ? `since ${a.home} came online` : Number.isNaN(recorded) ? `since the controller first saw it there (no ledger records the move)` : `since it left ${a.home}`;
    if (age >= t.notHomeAfterMs) problems.push({ status: 'CRITICAL', kind: 'not-home-too-long', subject: a.name, short: `${a.name} not home on ${a.home} after ${spanText(age)}`, text: `${where}: for ${spanText(age)} ${basis}${back}` });
    else problems.push({ status: 'WARNING', kind: 'away-from-home', subject: a.name, short: `${a.name} away from ${a.home}`, text: `${where}: for ${spanText(age)} ${basis}; CRITICAL after ${spanText(t.notHomeAfterMs)}${back}` });
  }
  return { problems, maxMs };
}

/**
 * Whether A's time away counts from when its HOME came online, when that is later than the move. It
 * does when this controller saw the home come online, and for a move no ledger records (RECORDED
 * NaN: its time is this controller's own first sight). After a controller restart the home's
 * online time is only its first report, so a move the ledger dates counts from that date, or a
 * restart would postpone the CRITICAL by up to --not-home-after each time; unless the move was a
 * drain of the home: the home went out of service with it and came back since, at a time unknown,
 * and that first report is the lower bound said instead.
 */
const countsFromOnline = (home: HostRecord, a: AwayDomu, recorded: number): boolean =>
  home.maintenanceSince?.seenEntering === true || Number.isNaN(recorded) || a.leftAt?.reason === 'drain';

export type ReportedRecord = HostRecord & { readonly state: NonNullable<HostRecord['state']> };

/** The records of reachable hosts that have reported their state. */
export function* reachableWithState(index: FleetIndex, fresh: Freshness): Iterable<ReportedRecord> {
  for (const r of index.hostRecords()) if (r.state !== null && isReachable(r, fresh.now, fresh.staleAfterMs)) yield r as ReportedRecord;
}
