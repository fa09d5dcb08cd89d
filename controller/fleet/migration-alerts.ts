import type { LinkDomain } from '../../shared/protocol/agent-link-state.js';
import { isStranded } from '../../shared/stranded-half.js';
import { awayFromHome } from './away-from-home.js';
import { noDisksThere } from './foreign-halves.js';
import type { FleetIndex } from './fleet-index.js';
import { finding, hostList, type Finding } from './finding.js';
import { noRoomFix, noRoomWords } from '../../shared/text/state-disk-words.js';
import { isCurrent, isReachable, standingHalves, type Freshness, type HostRecord, type StandingHalf } from './host-record.js';
import { isLive } from './live-row.js';
import { lookShortlist } from './look-shortlist.js';
import { tickCounter, TICK, type Tick } from './scan-tick.js';
import { settleHint, unsettledOf, unsettledRun } from './unsettled.js';
import { nameOrder } from '../../shared/name-order.js';

// Migrations whose ending no ledger recorded, or whose ending a ledger records as unknown. Each
// side's agent sees only its own half of one (and logs it); the fleet sees both, which is what a
// person settling it needs first.

/**
 * A sender's half (`NAME--migratedaway`) standing on a host whose view is current for longer than
 * any final handshake takes: a migration from there ended without it, and both halves may be kept.
 * The source's agent logs an ALARM but cannot see whether the target runs NAME; the message says.
 */
export function* strandedMigrations(index: FleetIndex, fresh: Freshness): Generator<Finding | Tick> {
  const tick = tickCounter();
  const halves = new Map<string, (StandingHalf & { readonly host: string })[]>();
  for (const r of index.hostRecords()) {
    if (tick()) yield TICK;
    if (r.halvesSince === undefined || !isCurrent(r, fresh.now, fresh.staleAfterMs)) continue;
    for (const h of standingHalves(r, fresh.now)) {
      // said at once, by halvesWithoutDisks
      if (isStranded(h.forMs) && noDisksThere(index, h.name, r.host, fresh) === null) halves.set(h.name, [...(halves.get(h.name) ?? []), { ...h, host: r.host }]);
    }
  }
  for (const [name, stood] of halves) {
    const sources = new Set(stood.map((h) => h.host));
    const seen = fleetShows(index, name, sources, fresh);
    const halvesText = stood.map((h) => `${h.row} has stood on ${h.host} for ${Math.round(h.forMs / 1000)} s`).join('; ');
    yield finding(
      'migration-stranded',
      name,
      [...new Set([...sources, ...seen.runsOn, ...seen.receiving])],
      `${halvesText}: a migration of ${name} from there ended without its final handshake, so no ledger records where it went, and both halves may be kept; ${seen.text.length > 0 ? seen.text.join(', and ') : `no other host reports ${name}`}. Nothing is started, destroyed or recorded for you: check both hosts by hand (xenherd-agent status ${name} on each)`,
    );
  }
}

/**
 * A migration a Dom0 ran that ended in an ALARM (XH_ERR_MIGRATION_UNKNOWN), as its ledger's
 * `unsettled` record keeps it until `xenherd-agent reconcile NAME` there: one finding per host and
 * domU. The record is the agent's own word, so a silent host's last report still counts (with its
 * age). Read from the fleet index's unsettled records alone: a fleet without any costs nothing.
 */
export function* unsettledMigrations(index: FleetIndex, fresh: Freshness): Generator<Finding | Tick> {
  const tick = tickCounter();
  for (const name of index.unsettled.names()) {
    if (tick()) yield TICK;
    const seen = fleetShows(index, name, new Set(), fresh);
    const now = seen.text.length > 0 ? seen.text.join(', and ') : `no host reports ${name}`;
    for (const u of unsettledOf(index, name)) {
      // the agent's own sentence says what went wrong (which step, what each host answered): the
      // person settling it needs that first, and `xenherd-agent status` is a login away
      const said = index.unsettled.get(name)?.get(u.host)?.message;
      const why = said === undefined ? '' : `; ${u.host}'s agent recorded: ${said}`;
      yield finding(
        'migration-unsettled',
        `${name}@${u.host}`,
        [u.host, u.peer],
        `${name}: ${unsettledRun(u, hostList(index, [u.host], fresh), hostList(index, [u.peer], fresh))} ended in an ALARM (XH_ERR_MIGRATION_UNKNOWN)${why}. Nobody knows where ${name} has run since; ${now}. xenherd's plans leave it alone until it is settled (no xenherdctl drain, roll, restore, rebalance, migrate or reverse moves or starts it): ${settleHint(name, [u])}${ledgerUnwritable(index.record(u.host))}`,
      );
    }
  }
}

/**
 * Why the record outlasts a reconcile: HOST's agent reports its last write under its state dir (the
 * ledger's) failed for want of room or a read-only filesystem, so `reconcile` there cannot write the
 * ledger either and the record stays, alert and all, until the disk is mended. Empty otherwise.
 */
function ledgerUnwritable(r: HostRecord | undefined): string {
  const d = r?.state?.stateDisks?.find((x) => x.role === 'state');
  const failed = d?.failure ?? null;
  if (r === undefined || d === undefined || failed === null) return '';
  return `. Until then the record cannot go: ${r.host}'s agent cannot write its ledger under ${d.dir} (${noRoomWords(failed.code)}; ${failed.what} failed), so reconcile fails there too; ${noRoomFix(failed.code, r.host, d.dir)} first`;
}

/** What the hosts other than EXCEPT report of NAME now, live rows only: where it runs, where a receiving or sending half stands. */
function fleetShows(index: FleetIndex, name: string, except: ReadonlySet<string>, fresh: Freshness): { runsOn: string[]; receiving: string[]; text: string[] } {
  const others = [...(index.running.get(name) ?? [])].filter(([h]) => !except.has(h));
  const holding = (migration: LinkDomain['migration']): string[] =>
    others
      .filter(([, rows]) => rows.some((d) => d.migration === migration && isLive(d)))
      .map(([h]) => h)
      .sort(nameOrder);
  // the half as its Dom0 lists it: xend's sender is migrating-NAME, xl's NAME--migratedaway
  const listedAs = (migration: LinkDomain['migration'], hosts: readonly string[]): string =>
    [...new Set(others.filter(([h]) => hosts.includes(h)).flatMap(([, rows]) => rows.filter((d) => d.migration === migration && isLive(d)).map((d) => d.name)))].sort().join(' / ');
  const runsOn = holding(null);
  const receiving = holding('incoming');
  const sending = holding('migratedaway');
  const text = [
    ...(runsOn.length > 0 ? [`${name} runs on ${hostList(index, runsOn, fresh)}`] : []),
    ...(receiving.length > 0 ? [`${listedAs('incoming', receiving)} (the receiving half) stands on ${hostList(index, receiving, fresh)}`] : []),
    ...(sending.length > 0 ? [`${listedAs('migratedaway', sending)} (the sender's half) stands on ${hostList(index, sending, fresh)}`] : []),
  ];
  return { runsOn, receiving, text };
}

/**
 * A domU running on a Dom0 that is not its home, and no ledger says so: its home's ledger has no
 * away record naming that host, and that host's ledger no visitor record. A migration whose end
 * was lost leaves this (it moved; neither side could record it), as does a start by hand.
 * `reverse` goes by the home's away record and refuses it until a person records what happened.
 * Claimed only when every Dom0 claiming it as home is reachable (a silent one's ledger may say
 * more by now than its last report) and the host running it is current or silent: a silent host's
 * last report still counts, with its age (the domU may still run there, and when that host comes
 * back without it this alert is the last trace of where it went); one re-reading its xl list does not.
 */
export function* awayUnrecorded(index: FleetIndex, fresh: Freshness): Generator<Finding | Tick> {
  // only a host that does not claim the domU it runs, or one whose claim is its guarded dir alone
  // beside a migrate-tab claim (outranked below), can be named: the shortlist keeps those domUs as
  // the index changes, rather than every row of the fleet asked at each look
  yield* awayUnrecordedAmong(index, fresh, [...lookShortlist(index).runByUnclaimed]);
}

/** The away-unrecorded findings of the domUs NAMES (awayUnrecorded: those its shortlist holds). */
export function* awayUnrecordedAmong(index: FleetIndex, fresh: Freshness, names: Iterable<string>): Generator<Finding | Tick> {
  const tick = tickCounter();
  const reachable = (h: string): boolean => {
    const r = index.record(h);
    return r !== undefined && r.state !== null && isReachable(r, fresh.now, fresh.staleAfterMs);
  };
  for (const name of names) {
    if (tick()) yield TICK;
    const byHost = index.running.get(name);
    const claims = index.homes.get(name);
    const a = byHost && awayFromHome(index, name, byHost);
    // a home only a ledger names is not this alert: that ledger is a record of it
    if (!a || claims === undefined || ![...claims.keys()].every(reachable)) continue;
    // a ledger keeps its migration as unsettled: migration-unsettled says what happened, and that
    // nothing (restore included) moves it until that is reconciled; this alert's way out would not work
    if (unsettledOf(index, a.name).length > 0) continue;
    // only a home's ledger records where its domU went: another host's away record of it is no record
    const recordedAt = new Set([...(index.away.get(a.name) ?? [])].filter(([h]) => claims.has(h)).map(([, r]) => r.currentHost));
    // a host whose claim is its guarded dir alone, of a pair whose other Dom0's migrate-tab names
    // the domU, is not its home: running there unrecorded (a start by hand) is this alert's case
    const outranked = (h: string): boolean => h !== a.home && claims.get(h)?.source === 'guarded' && claims.get(a.home)?.source === 'migrate-tab';
    const hosts = a.runningOn.filter((h) => {
      const r = index.record(h);
      const counts = r !== undefined && (isCurrent(r, fresh.now, fresh.staleAfterMs) || !isReachable(r, fresh.now, fresh.staleAfterMs));
      return counts && (!claims.has(h) || outranked(h)) && !recordedAt.has(h) && !index.visitors.get(a.name)?.has(h);
    });
    if (hosts.length === 0) continue;
    const homes = [...claims.keys()].filter((h) => !outranked(h)).sort(nameOrder);
    const on = hostList(index, hosts, fresh);
    yield finding(
      'away-unrecorded',
      a.name,
      [...hosts, ...homes],
      `${a.name} runs on ${on}, away from its home ${homes.join(' and ')}, and no ledger records it there (no away record naming ${hosts.join(' or ')} in ${homes.length === 1 ? 'its home\'s ledger' : 'its homes\' ledgers'}, no visitor record on ${hosts.join(' or ')}): a migration whose end was lost, or a start by hand. reverse goes by the home's ledger and refuses it (restore ${a.home} brings it home); after checking, xenherd-agent reconcile ${a.name} --home ${a.home} on ${hosts.join(' or ')} records it where it is`,
    );
  }
}
