import { ONLINE, type LinkDomain } from '../../shared/protocol/agent-link-state.js';
import type { Alert, DomainRow, DomainsAnswer, HostView, StatusAnswer, WhereMatch } from '../../shared/protocol/ctl-api.js';
import type { NotListing } from '../../shared/protocol/ctl-where.js';
import { LAST_DOMAINS_NAMED } from '../../shared/protocol/ctl-hosts.js';
import type { XhError } from '../../shared/errors.js';
import { err, ok, type Result } from '../../shared/result.js';
import type { FleetIndex } from './fleet-index.js';
import { ageOf, currentMaintenanceSince, isCurrent, isReachable, viewOf, type Freshness, type HostRecord } from './host-record.js';
import { homeOf, placementOf } from './placement.js';
import { awayBook } from './away-from-home.js';
import { DiskTrouble, type DrbdAlertRef } from './split-disks.js';
import { nameOrder } from '../../shared/name-order.js';
import { migrationUnderWay } from './superseded.js';
import { noAgentMessage } from './no-agent-message.js';
import { isPlaceholder } from './enrolment.js';
import { cleanStopAt } from './agent-stop.js';
import { reportsElsewhereSince } from './reports-elsewhere.js';
import { crashedOnly } from './crashed-domus.js';
import { downWithUnreportedOf, downWithUnreportedText } from './down-with-unreported.js';
import { stateDiskProblemsOf } from './state-disk-check.js';
import { matches, type NamePattern } from '../../shared/name-pattern.js';

/** Where the other end of HOST's half of BASE runs, as a report shows it: the opposite half, else the one plain row (xend's receiver, libxl's sender not yet renamed). */
export type OtherEnd = (base: string, host: string, migration: LinkDomain['migration']) => string | null;
const noOtherEnd: OtherEnd = () => null;

export function hostView(r: HostRecord, fresh: Freshness, otherEnd: OtherEnd = noOtherEnd): HostView {
  const reachable = isReachable(r, fresh.now, fresh.staleAfterMs);
  const view: HostView = {
    host: r.host,
    reachable,
    linkUp: r.linkUp,
    lastSeen: r.lastSeen,
    ageMs: ageOf(r, fresh.now),
    bootId: r.bootId,
    agentVersion: r.agentVersion,
    toolstack: r.state?.toolstack ?? null,
    xen: r.state?.xen ?? null,
    memory: r.state?.memory ?? { totalMiB: null, freeMiB: null },
    maintenance: r.state?.maintenance ?? ONLINE,
    maintenanceSince: currentMaintenanceSince(r),
    domains: r.state?.domains.filter((d) => d.name !== 'Domain-0').length ?? 0,
    homes: r.state?.homes.length ?? 0,
    reported: r.state !== null,
    view: viewOf(r),
  };
  const halves = r.state?.domains.filter((d) => d.migration !== null).length ?? 0;
  const stop = cleanStopAt(r);
  const counted = halves === 0 ? view : { ...view, halves };
  const disks = stateDisksOf(r);
  const said = stop === null ? { ...counted, ...disks } : { ...counted, ...disks, agentStoppedAt: stop };
  // one reporting to another controller is asked there, and what it ran was dropped here (reports-elsewhere.ts)
  const elsewhere = reportsElsewhereSince(r);
  if (elsewhere !== null) return { ...said, reportsElsewhereSince: elsewhere };
  // a Dom0 gone silent (power off, cut off) is known only by what it ran: status names it
  return reachable || r.state === null ? said : { ...said, lastDomains: lastDomains(r.host, r.state.domains, otherEnd) };
}

/** R's state and runtime dirs as its agent reported them, and what `check` says of them: a host's health, beside its reachability. */
function stateDisksOf(r: HostRecord): Pick<HostView, 'stateDisks' | 'diskTrouble'> {
  const disks = r.state?.stateDisks;
  if (disks === undefined) return {};
  const trouble: NonNullable<HostView['diskTrouble']> = stateDiskProblemsOf(r)
    .sort((a, b) => (a.status === b.status ? 0 : a.status === 'CRITICAL' ? -1 : 1))
    .map((p) => ({ status: p.status === 'CRITICAL' ? 'CRITICAL' : 'WARNING', text: p.text }));
  return trouble.length === 0 ? { stateDisks: disks } : { stateDisks: disks, diskTrouble: trouble };
}

/** The first of a silent host's rows by name; a migration's half says whose move it is, and where its other end is (status names it as the move). */
function lastDomains(host: string, domains: readonly LinkDomain[], otherEnd: OtherEnd): NonNullable<HostView['lastDomains']> {
  return domains
    .filter((d) => d.name !== 'Domain-0')
    .sort((a, b) => nameOrder(a.name, b.name))
    .slice(0, LAST_DOMAINS_NAMED)
    .map((d) => (d.migration === null ? { name: d.name, state: d.state } : { name: d.name, state: d.state, half: { domu: d.baseName, migration: d.migration, other: otherEnd(d.baseName, host, d.migration) } }));
}

function otherEndIn(index: FleetIndex): OtherEnd {
  return (base, host, migration) => {
    const others = [...(index.running.get(base) ?? new Map<string, readonly LinkDomain[]>()).entries()].filter(([h]) => h !== host);
    const opposite = others.find(([, rows]) => rows.some((d) => d.migration !== null && d.migration !== migration));
    if (opposite !== undefined) return opposite[0];
    const plain = others.filter(([, rows]) => rows.some((d) => d.migration === null));
    return plain.length === 1 ? (plain[0]?.[0] ?? null) : null;
  };
}

export function hostViews(index: FleetIndex, fresh: Freshness): HostView[] {
  const other = otherEndIn(index);
  const views = [...index.hostRecords()].map((r) => hostView(r, fresh, other));
  // a host not heard from since the controller started, with what its DRBD partners say may be down with it
  const downs = downWithUnreportedOf(index, fresh, views.filter((v) => !v.reachable && !v.reported).map((v) => v.host));
  const said = downs.size === 0 ? views : views.map((v): HostView => {
    const d = downs.get(v.host);
    return d === undefined ? v : { ...v, mayBeDown: { domus: [...d.domus], text: downWithUnreportedText(d) } };
  });
  return said.sort((a, b) => nameOrder(a.host, b.host));
}

/** The answer to `domains [--host HOST]`: HOST must be a host an agent reports as. */
export function domainsAnswer(index: FleetIndex, host: string | null, fresh: Freshness): Result<DomainsAnswer, XhError> {
  // a placeholder (an enrolled host not heard from) is no report either
  const r = host === null ? undefined : index.record(host);
  if (host !== null && (r === undefined || isPlaceholder(r))) return err({ code: 'XH_ERR_NOT_FOUND', message: noAgentMessage([host], [...index.hostRecords()].map((r) => r.host)) });
  return ok({ at: fresh.now, host, domains: domainRows(index, host, fresh) });
}

/** Every toolstack row of HOST (or of every host), by host then name. */
export function domainRows(index: FleetIndex, host: string | null, fresh: Freshness): DomainRow[] {
  const records = host === null ? [...index.hostRecords()] : [index.record(host)].filter((r) => r !== undefined);
  const rows: DomainRow[] = [];
  for (const r of records) {
    const reachable = isCurrent(r, fresh.now, fresh.staleAfterMs);
    const ageMs = ageOf(r, fresh.now);
    const blind = keptSince(r);
    for (const d of r.state?.domains ?? []) {
      if (d.name === 'Domain-0') continue;
      // the row's own fields spread last: keys added after a spread take V8 a slow path per object
      // (several µs each, most of a second over a whole fleet's rows); the names never overlap
      const home = homeOf(index, d.baseName).home;
      rows.push(blind === null ? { host: r.host, reachable, ageMs, home, ...d } : { host: r.host, reachable, ageMs, home, viewUnknownSince: blind, ...d });
    }
  }
  return rows.sort((a, b) => nameOrder(a.host, b.host) || nameOrder(a.name, b.name));
}

/** Since when R's agent cannot read xl list, when the rows R shows are the ones it read before (blind-rows.ts); else null. */
const keptSince = (r: HostRecord): number | null => (r.agentDomains !== undefined && r.viewLag?.view === 'unknown' ? r.viewLag.since : null);

/**
 * The `where` matches for a pattern, by name. An exact name is one lookup; a glob scans the known
 * names. DRBDALERTS are the open alerts about DRBD resources, told under the domUs using them (split-disks.ts).
 */
export function whereMatches(index: FleetIndex, pattern: NamePattern, fresh: Freshness, alertIds: (name: string) => string[], drbdAlerts: readonly DrbdAlertRef[] = []): WhereMatch[] {
  const names = pattern.kind === 'exact' ? [pattern.name] : [...index.knownNames((n) => matches(pattern, n))].sort();
  const disks = new DiskTrouble(index, fresh, drbdAlerts);
  const away = awayBook(index);
  return names.flatMap((n) => {
    const m = placementOf(index, n, fresh, alertIds, disks);
    return m === null ? [] : [away.has(n) ? { ...m, awayFromHome: true } : m];
  });
}

/**
 * MATCHES with the reachable hosts whose agent says its view of its domains is not current, when a
 * match runs nowhere: such a host shows only the rows it read before (blind-rows.ts), so a domU
 * homed there, or on any host, for one that cannot list its domains at all, may run there unseen. That match is not vouched for (reachable: false). With every match running somewhere
 * (the exact-name hot path, most often) nothing more is looked at: no pass over the hosts.
 */
export function whereWithViews(matches: WhereMatch[], index: FleetIndex, fresh: Freshness): { matches: WhereMatch[]; notListing: NotListing[] } {
  if (!matches.some((m) => m.places.length === 0)) return { matches, notListing: [] };
  const notListing: NotListing[] = [];
  for (const r of index.hostRecords()) {
    const lag = r.viewLag ?? null;
    if (lag !== null && isReachable(r, fresh.now, fresh.staleAfterMs)) notListing.push({ host: r.host, view: lag.view, forMs: Math.max(0, fresh.now - lag.since) });
  }
  if (notListing.length === 0) return { matches, notListing };
  notListing.sort((a, b) => nameOrder(a.host, b.host));
  const anyUnknown = notListing.some((h) => h.view === 'unknown');
  const blind = (m: WhereMatch): boolean => anyUnknown || notListing.some((h) => h.host === m.home);
  return { matches: matches.map((m) => (m.places.length === 0 && m.reachable && blind(m) ? { ...m, reachable: false } : m)), notListing };
}

/** loops, not spreads: status visits every domU of the fleet */
function hasMigrationRow(byHost: ReadonlyMap<string, readonly LinkDomain[]>): boolean {
  for (const rows of byHost.values()) for (const d of rows) if (d.migration !== null) return true;
  return false;
}

function hasPlainRow(byHost: ReadonlyMap<string, readonly LinkDomain[]>): boolean {
  for (const rows of byHost.values()) for (const d of rows) if (d.migration === null) return true;
  return false;
}

function reportedBy(byHost: ReadonlyMap<string, readonly LinkDomain[]>, heard: ReadonlySet<string>): boolean {
  for (const host of byHost.keys()) if (heard.has(host)) return true;
  return false;
}

export function statusAnswer(index: FleetIndex, alerts: readonly Alert[], fresh: Freshness): StatusAnswer {
  const hosts = hostViews(index, fresh);
  const heard = new Set(hosts.filter((h) => h.reachable).map((h) => h.host));
  // xenherdctl counts these under the Dom0 they may be down with ("1 more may be down with xen1"):
  // none runs in any report, current or last, but a stopped row a silent Dom0 last listed would count it twice
  const mayBeDown = new Set(hosts.flatMap((h) => h.mayBeDown?.domus ?? []));
  let domus = 0;
  let domusUnreachable = 0;
  let crashed = 0;
  let midMigration = 0;
  for (const [name, byHost] of index.running.entries()) {
    const alarmed = index.unsettled.get(name) !== undefined;
    // only the frozen halves of a migration that ended in an ALARM: nothing of it runs, it is
    // counted as unsettled below (once a person kept one copy under its own name, that one runs)
    if (alarmed && !hasPlainRow(byHost)) continue;
    // a dead Dom0's last report is no domU running: counted apart, as not known; a crashed guest
    // runs no code (check calls it CRITICAL): counted apart too, unless a copy of it runs
    if (!reportedBy(byHost, heard)) domusUnreachable += mayBeDown.has(name) ? 0 : 1;
    else if (crashedOnly(byHost, (h) => heard.has(h))) crashed++;
    else domus++;
    // the halves a migration that ended in an ALARM left are no move under way: counted as unsettled below
    if (hasMigrationRow(byHost) && !alarmed && migrationUnderWay(index, name, fresh)) midMigration++;
  }
  let unsettled = 0;
  for (const _ of index.unsettled.names()) unsettled++;
  const reachable = hosts.filter((h) => h.reachable).length;
  // gone back to the primary: not lost (check WARNs, never CRITICAL), so not counted unreachable
  const elsewhere = hosts.filter((h) => h.reportsElsewhereSince !== undefined).length;
  return {
    at: fresh.now,
    alerts: [...alerts],
    summary: {
      hosts: hosts.length,
      reachable,
      unreachable: hosts.length - reachable - elsewhere,
      reportsElsewhere: elsewhere,
      domus,
      domusUnreachable,
      crashed,
      // the hosts table counts every copy: without this, 3 domUs running beside 4 domains read as a miscount
      runningTwice: alerts.filter((a) => a.kind === 'running-on-two-hosts').length,
      midMigration,
      unsettled,
      inMaintenance: hosts.filter((h) => h.maintenance.state !== 'online').length,
      alerts: alerts.length,
    },
    hosts,
  };
}
