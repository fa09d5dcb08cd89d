import type { LinkAway, LinkHome } from '../../shared/protocol/agent-link-state.js';
import type { WhereMatch, WherePlace } from '../../shared/protocol/ctl-api.js';
import type { FleetIndex } from './fleet-index.js';
import { heldHomeClaims, holdsNothingOf } from './foreign-claims.js';
import { isPairClaim } from './pair-claim.js';
import { ageOf, isCurrent, isoOnControllerClock, type Freshness } from './host-record.js';
import { incomingOvertaken, supersededOn } from './superseded.js';
import { halfStoodMs } from './half-standing.js';
import { unsettledOf } from './unsettled.js';
import { failedDisksOf } from './failed-disks.js';
import { DiskTrouble, splitDisksOf } from './split-disks.js';
import { nameOrder } from '../../shared/name-order.js';

/**
 * The home of a domU as the fleet sees it: the one Dom0 claiming it; of a DRBD pair that both
 * claim it (guarded on both), the one whose migrate-tab lists it, else the one it left (its
 * ledger says away), else the one running it; with no claim, what the ledgers say. Null when
 * that does not settle it.
 */
export function homeOf(index: FleetIndex, name: string): { home: string | null; claims: string[] } {
  const byHost = heldHomeClaims(index, name);
  const claims = byHost === undefined ? [] : [...byHost.keys()].sort(nameOrder);
  if (claims.length === 1) return { home: claims[0] as string, claims };
  if (byHost && claims.length > 1) {
    if (!isPairClaim(byHost)) return { home: null, claims };
    const home =
      onlyOne(claims, (h) => byHost.get(h)?.source === 'migrate-tab') ??
      onlyOne(claims, (h) => index.away.get(name)?.has(h) === true) ??
      onlyOne(claims, (h) => index.running.get(name)?.get(h)?.some((d) => d.migration === null) === true);
    return { home, claims };
  }
  return { home: homeInLedgers(index, name), claims };
}

/** The one host of HOSTS that passes TEST; null when none or several do. */
function onlyOne(hosts: readonly string[], test: (host: string) => boolean): string | null {
  let found: string | null = null;
  for (const h of hosts) {
    if (!test(h)) continue;
    if (found !== null) return null;
    found = h;
  }
  return found;
}

/** The home the ledger records of NAME name (visiting here, away from there) when they all agree; null without one. */
function homeInLedgers(index: FleetIndex, name: string): string | null {
  let home: string | null = null;
  for (const ix of [index.visitors, index.away] as const) {
    for (const r of ix.get(name)?.values() ?? []) {
      if (home !== null && r.home !== home) return null;
      home = r.home;
    }
  }
  return home;
}

/**
 * Everything the fleet knows about one domU: which hosts report a toolstack row of it, its home
 * and ledger records, autostart decisions, and how old that information is. Null when no host
 * mentions the name at all.
 */
export function placementOf(index: FleetIndex, name: string, fresh: Freshness, alertIds: (name: string) => string[], disks = new DiskTrouble(index, fresh, [])): WhereMatch | null {
  if (!index.isKnown(name)) return null;
  const places: WherePlace[] = [];
  // a silent target's receiving half after its source resumed: shown, but neither a move under way nor a source of the answer's age
  const overtaken = new Set<string>();
  const byHost = index.running.get(name);
  for (const [host, rows] of byHost ?? []) {
    // a silent host's last report overtaken by the domU's arrival by migration elsewhere is not a
    // second place it runs: shown, it reads as a split brain where there is one copy (superseded.ts)
    if (byHost !== undefined && byHost.size > 1 && supersededOn(index, name, host, fresh)) continue;
    // nor is a plain row on a host holding nothing of it, beside another copy or alone (foreign-claims.ts: an alert of its own)
    if (rows.every((d) => d.migration === null) && holdsNothingOf(index, name, host) !== null) continue;
    if (byHost !== undefined && byHost.size > 1 && incomingOvertaken(index, name, host, fresh)) overtaken.add(host);
    const r = index.record(host);
    // a host whose agent says its view is behind may no longer run what it last reported
    const reachable = r ? isCurrent(r, fresh.now, fresh.staleAfterMs) : false;
    const ageMs = r ? ageOf(r, fresh.now) : null;
    for (const domain of rows) {
      const stoodMs = domain.migration === null ? null : halfStoodMs(r, domain, fresh.now);
      places.push(stoodMs === null ? { host, domain, reachable, ageMs } : { host, domain, reachable, ageMs, stoodMs });
    }
  }
  if (places.length > 1) places.sort((a, b) => Number(a.domain.migration !== null) - Number(b.domain.migration !== null) || nameOrder(a.host, b.host));
  const { home, claims } = homeOf(index, name);
  const awayEntry = homeLinkAway(index, name, home, claims);
  const away = awayEntry === null ? null : { ...awayEntry[1], since: readOnControllerClock(index, awayEntry[0], awayEntry[1].since) };
  const visitorEntry = firstEntry(index.visitors.get(name));
  // a migration that ended in an ALARM leaves its halves standing, frozen, until a person settles it:
  // no move is under way, and the answer says so with the ledger's record (one lookup, none for most)
  const kept = unsettledOf(index, name);
  const unsettled = kept.length === 0 ? [] : kept.map((u) => ({ host: u.host, peer: u.peer, since: u.since, operationId: u.operationId, operation: u.operation }));
  const autostart = byHostName(index.guarded.get(name)).map(([host, g]) => ({ host, decision: g.decision, reason: g.reason, since: readOnControllerClock(index, host, g.since) }));
  // the information is as old as its oldest source: the hosts running it, else its home, else
  // the hosts that mention it at all (a domU only guarded somewhere is as fresh as that host)
  const sources = places.length > 0 ? new Set(places.filter((p) => !overtaken.has(p.host)).map((p) => p.host)) : home !== null ? [home] : claims.length > 0 ? claims : mentioning(index, name);
  // loops: a glob such as '*' answers for every domU of the fleet at once
  let oldest: number | null = null;
  let everyCurrent = true;
  let anyRecord = false;
  for (const h of sources) {
    const r = index.record(h);
    if (r === undefined) continue;
    anyRecord = true;
    const age = ageOf(r, fresh.now);
    if (age !== null && (oldest === null || age > oldest)) oldest = age;
    if (everyCurrent && !isCurrent(r, fresh.now, fresh.staleAfterMs)) everyCurrent = false;
  }
  const match: WhereMatch = {
    name,
    places,
    home,
    homeClaims: claims,
    away,
    visitor: visitorEntry ? { host: visitorEntry[0], ...visitorEntry[1], since: readOnControllerClock(index, visitorEntry[0], visitorEntry[1].since) } : null,
    autostart,
    midMigration: unsettled.length === 0 && places.some((p) => p.domain.migration !== null && !overtaken.has(p.host)),
    alerts: alertIds(name),
    ageMs: oldest,
    // running nowhere while its home sends it to a host the controller does not know (revoked, as a
    // dead Dom0 is, or never enrolled): "not running" rests on a Dom0 nobody hears, so not vouched for
    reachable: anyRecord && everyCurrent && !(places.length === 0 && away !== null && index.record(away.currentHost) === undefined),
  };
  // its disks split while it runs on one Dom0: no alert names the domU, and whoever asks where it runs must see it
  const split = splitDisksOf(disks, name, [...new Set([...places.map((p) => p.host), ...claims])], home);
  // and a disk DRBD detached under it: it runs on, over the network on its peer's disk, the only copy
  const drbd = [...split, ...failedDisksOf(disks, name, [...new Set(places.filter((p) => p.domain.migration === null).map((p) => p.host))])];
  const withDisks = drbd.length === 0 ? match : { ...match, drbd };
  return unsettled.length === 0 ? withDisks : { ...withDisks, unsettled };
}

/**
 * NAME's away record as its home keeps it: only a host claiming NAME as its home speaks for where
 * it went (another host's ledger naming it is not the home's record, whatever it says). With no
 * claim at all, the ledgers are all there is (homeOf reads the home from them too).
 */
function homeLinkAway(index: FleetIndex, name: string, home: string | null, claims: readonly string[]): [string, LinkAway] | null {
  const records = index.away.get(name);
  if (records === undefined) return null;
  const at = (h: string | null): [string, LinkAway] | null => {
    const r = h === null ? undefined : records.get(h);
    return h === null || r === undefined ? null : [h, r];
  };
  if (claims.length === 0) return at(home) ?? firstEntry(records) ?? null;
  if (home !== null) return claims.includes(home) ? at(home) : null;
  return byHostName(records).find(([h]) => claims.includes(h)) ?? null;
}

/**
 * A time HOST's agent reported on its own clock, as the controller's clock reads it: what
 * xenherdctl prints ("away since 14:02") is compared with the operator's clock, not the Dom0's.
 */
const readOnControllerClock = (index: FleetIndex, host: string, iso: string): string => isoOnControllerClock(index.record(host), iso);

/** The hosts whose reports mention NAME without running or claiming it: guarding it, or a ledger record of it. */
function mentioning(index: FleetIndex, name: string): string[] {
  const hosts = new Set<string>();
  for (const m of [index.guarded.get(name), index.away.get(name), index.visitors.get(name)]) for (const h of m?.keys() ?? []) hosts.add(h);
  return [...hosts].sort(nameOrder);
}

/** M's entries by host name; most maps here hold none or one */
function byHostName<V>(m: ReadonlyMap<string, V> | undefined): [string, V][] {
  if (m === undefined || m.size === 0) return [];
  const entries = [...m];
  return entries.length === 1 ? entries : entries.sort(([a], [b]) => nameOrder(a, b));
}

const firstEntry = <V>(m: ReadonlyMap<string, V> | undefined): [string, V] | undefined => byHostName(m)[0];

