import type { HostView, NotListing, WhereMatch, WherePlace } from '../../shared/protocol/ctl-api.js';
import { formatAge, formatSince } from './format.js';
import { printable } from '../../shared/text/printable.js';
import { agentStoppedText, reportsElsewhereText } from '../../shared/text/utc-time.js';
import { splitDiskNotes } from '../../shared/text/split-disk-words.js';
import { andList } from '../../shared/text/and-list.js';

/**
 * The widest cell that widens `where`'s columns (format.ts table): "home xen1 (away since
 * 2024-05-01 14:02, manual)" and "migrating from xen1 to xen2" fit, with longer host names too;
 * an ALARM's state (some 200 characters) or a STALE answer's reasons run on in their own row.
 */
export const WHERE_PAD_UP_TO = 60;

/** An answer older than this, or from a host the controller cannot reach, is marked stale. */
export const STALE_AFTER_MS = 30_000;

export const isStale = (m: WhereMatch): boolean => !m.reachable || m.ageMs === null || m.ageMs > STALE_AFTER_MS;

/** The Dom0 to ssh to: the one running the plain (not migrating) row, else the first place. */
export function dom0Of(m: WhereMatch): string | null {
  return (m.places.find((p) => p.domain.migration === null) ?? m.places[0])?.host ?? null;
}

const statesOf = (places: readonly WherePlace[]): string => [...new Set(places.map((p) => operatorState(p.domain.state)))].join(',');

/**
 * A migration's half that only silent hosts still report, beside a plain row a current host
 * reports: the move is over on the side we hear (it failed and the source resumed, or the target
 * runs it), and what the silent host last said is history. Said after the state, not as it.
 */
function staleHalvesNote(m: WhereMatch): { live: WherePlace[]; note: string } | null {
  const live = m.places.filter((p) => p.reachable && p.domain.migration === null);
  const halves = m.places.filter((p) => p.domain.migration !== null);
  if (live.length === 0 || halves.some((p) => p.reachable)) return null;
  return { live, note: halves.map((p) => `${p.host}, unheard, last reported it ${p.domain.migration}`).join('; ') };
}

/**
 * Receiving halves the controller no longer counts as a move (fleet/superseded.ts incomingOvertaken:
 * the target fell silent and the source, heard since, runs the domU plainly): said as the silent
 * host's last word and the source still running it after that, so nobody waits on a move that is
 * over ("resumed" would claim more than the reports show: a target whose agent alone went silent
 * may still be copying).
 */
function resumedNote(m: WhereMatch): { live: WherePlace[]; note: string } | null {
  const live = m.places.filter((p) => p.reachable && p.domain.migration === null);
  const silent = [...new Set(m.places.filter((p) => p.domain.migration === 'incoming' && !p.reachable).map((p) => p.host))];
  if (live.length === 0 || silent.length === 0) return null;
  const by = [...new Set(live.map((p) => p.host))].join(', ');
  return { live, note: `${silent.join(', ')} last reported an incoming copy before it went silent; ${by}, heard since, still runs ${m.name}` };
}

/** A migration half as xl lists it: libxl renames the sender's copy only once it is suspended, which xl shows as shut down. */
const halfState = (p: WherePlace): string => (p.domain.migration === 'migratedaway' && p.domain.state === 'shutdown' ? 'suspended' : operatorState(p.domain.state));

/**
 * A domU whose migration a Dom0's ledger keeps as unsettled (it ended in an ALARM): its halves,
 * frozen, wait for a person, so it is not "migrating" (nothing will end them). Said as the ledger
 * records it, each half with how long it has stood (one newer than the ALARM is a move someone
 * started since), and the command that settles it; null without such a record.
 */
function alarmState(m: WhereMatch, now: number, notListing: readonly NotListing[]): string | null {
  const us = m.unsettled ?? [];
  if (us.length === 0) return null;
  const plain = m.places.filter((p) => p.domain.migration === null);
  const halves = m.places.filter((p) => p.domain.migration !== null);
  const runs = plain.length > 0 ? `${statesOf(plain)}, ` : m.places.length === 0 ? `${nowhereState(m, notListing)}, ` : '';
  const ran = us.map((u) => `the ${u.operation} ${u.host} ran with ${u.peer} at ${formatSince(u.since, now)}`).join(' and ');
  const left = halves.map((p) => `; ${p.domain.name} ${halfState(p)} on ${p.host}${p.stoodMs === undefined ? '' : ` for ${formatAge(p.stoodMs)}`}`).join('');
  const on = [...new Set(us.map((u) => u.host))].join(' and on ');
  return `${runs}ALARM unsettled: ${ran} ended unknown${left}; check both hosts, then xenherd-agent reconcile ${m.name} on ${on}`;
}

/** A domU no host reports: a host that cannot list its domains may run it, which is not "not running". */
const nowhereState = (m: WhereMatch, notListing: readonly NotListing[]): string => (mayRunOn(m, notListing).some((h) => h.view !== 'behind') ? 'unknown' : 'not running');

/**
 * A domU running nowhere that every Dom0 guarding it skips as handled-this-boot: its autostart
 * started it or saw it run this boot, and it went with nobody of the fleet asking (a crash under on_crash="destroy",
 * `xl destroy`; check's down-guarded). "down", dated by the oldest of those agents' decisions (an
 * agent restarted since dates it later), where "not running" would read like a domU nobody means
 * to run. Null for any other, and for one a ledger sends elsewhere.
 */
function downState(m: WhereMatch, now: number): string | null {
  const skips = m.autostart;
  if (skips.length === 0 || m.away !== null || !skips.every((a) => a.decision === 'skip' && a.reason === 'handled-this-boot')) return null;
  const since = Math.min(...skips.map((a) => Date.parse(a.since)).filter((t) => !Number.isNaN(t)));
  const hosts = [...new Set(skips.map((a) => a.host))];
  const who = hosts.length === 1 ? `${hosts.join('')}'s autostart started or saw it run this boot, starts` : `the autostarts of ${andList(hosts)} started or saw it run this boot, start`;
  return `down${Number.isFinite(since) ? ` since ${formatSince(since, now)}` : ''} (${who} it no more)`;
}

function stateOf(m: WhereMatch, now: number, notListing: readonly NotListing[], unreported: readonly string[]): string {
  const alarm = alarmState(m, now, notListing);
  if (alarm !== null) return alarm;
  if (m.places.length === 0) {
    const nowhere = nowhereState(m, notListing);
    // a Dom0 not heard from may run it: the STALE mark says where, and "down" would claim more than is known
    return nowhere === 'not running' && unreported.length === 0 && !isStale(m) ? (downState(m, now) ?? nowhere) : nowhere;
  }
  const stale = m.midMigration ? staleHalvesNote(m) : null;
  if (stale !== null) return `${statesOf(stale.live)} (${stale.note})`;
  const resumed = m.midMigration ? null : resumedNote(m);
  if (resumed !== null) return `${statesOf(resumed.live)} (${resumed.note})`;
  if (m.midMigration) {
    const from = m.places.find((p) => p.domain.migration === 'migratedaway')?.host;
    const to = m.places.find((p) => p.domain.migration === 'incoming')?.host;
    return `migrating${from ? ` from ${from}` : ''}${to ? ` to ${to}` : ''}`;
  }
  return statesOf(m.places);
}

/**
 * xl's "blocked" (and xm's idle) is a live guest waiting for work, which is most of the time: to an
 * operator asking where it is, that is running. Paused, crashed, dying and shut down say so.
 */
const operatorState = (s: string): string => (s === 'blocked' || s === 'idle' ? 'running' : s);

function homeOf(m: WhereMatch, now: number): string {
  if (m.home === null) return m.homeClaims.length > 1 ? `home claimed by ${m.homeClaims.join(' and ')}` : 'no home known';
  const hosts = m.places.map((p) => p.host);
  if (m.away && !hosts.includes(m.home)) return `home ${m.home} (away since ${formatSince(m.away.since, now)}, ${m.away.reason})`;
  if (!hosts.includes(m.home) && m.visitor) return `home ${m.home} (visitor since ${formatSince(m.visitor.since, now)})`;
  // started by hand elsewhere, say: check calls it away from home, so does where
  if (m.awayFromHome === true && !hosts.includes(m.home)) return `home ${m.home} (away, no ledger records it)`;
  return `home ${m.home}`;
}

/**
 * By domU, check's words on it from /v1/hosts' `mayBeDown` of the Dom0s not heard since the
 * controller started (web1 → "web1 and web2 may be down with xen1: ..."): said of a match running
 * nowhere, whose STALE alone names xen1 as not heard from, not that xen1's DRBD partners are cut off
 * from it and hold web1's disk Secondary.
 */
export type MayBeDown = ReadonlyMap<string, readonly string[]>;

export function mayBeDownOf(hosts: readonly HostView[]): MayBeDown {
  const out = new Map<string, string[]>();
  for (const { mayBeDown } of hosts) {
    if (mayBeDown === undefined) continue;
    for (const d of mayBeDown.domus) out.set(d, [...(out.get(d) ?? []), mayBeDown.text]);
  }
  return out;
}

/** When the controller started, and the time of its answer (both on its clock), from /v1/hosts. */
export interface ControllerStart {
  readonly startedAt: number;
  readonly at: number;
}

/**
 * What to say of an enrolled host not heard from since the controller started: not "never" (the
 * controller remembers nothing from before its start; it may have run for years), but since when.
 */
export function unheardSinceStart(started: ControllerStart | undefined): string {
  if (started === undefined) return 'enrolled, not heard from since the controller started';
  return `enrolled, not heard from since the controller started at ${formatSince(started.startedAt, started.at)} (${formatAge(Math.max(0, started.at - started.startedAt))} ago)`;
}

/** What an answer missing the domUs of the enrolled hosts UNREPORTED says of them (a glob's, a name found nowhere). */
export const unreportedNote = (unreported: readonly string[]): string =>
  `${unreported.join(', ')} ${unreported.length === 1 ? 'has' : 'have'} not reported since the controller started: what runs there is missing from this answer`;

/** Why a host /v1/hosts does not list is heard from by nobody: the controller forgot it, or never had it. */
export const notInFleetReason = (host: string): string => `${host}: not in this controller's fleet (revoked, or never enrolled)`;

/**
 * Why the controller does not vouch for what HOST reports, from its entry in /v1/hosts: the
 * agent's link is down, the agent is silent, or its own view of its domains is behind or
 * unreadable. Null when the entry shows none of these (it changed between the two answers).
 */
export function staleReason(h: HostView, started?: ControllerStart): string | null {
  if (!h.linkUp && !h.reported && h.lastSeen === null) return `${h.host}: ${unheardSinceStart(started)}`;
  if (!h.linkUp && h.reportsElsewhereSince !== undefined) return `${h.host}: ${reportsElsewhereText(h.reportsElsewhereSince)}: what runs there is not known here`;
  if (!h.linkUp && h.agentStoppedAt !== undefined) return `${h.host}: ${agentStoppedText(h.agentStoppedAt)}, last heard ${formatAge(h.ageMs)} ago`;
  if (!h.linkUp) return `${h.host}: agent link down, last heard ${h.ageMs === null ? 'never' : `${formatAge(h.ageMs)} ago`}`;
  // in the order `hosts` judges a host: a silent agent's last word on its view is old news too
  if (!h.reachable) return `${h.host}: agent silent for ${formatAge(h.ageMs)}`;
  if (h.view === 'behind') return `${h.host}: its agent's xl list is behind`;
  if (h.view === 'unknown') return `${h.host}: its agent cannot read xl list, its rows are the last it read`;
  // a newer controller's word for a view: said as sent, and not taken for a current one
  if (h.view !== 'current') return `${h.host}: its agent's view of its domains: ${h.view}`;
  return null;
}

/**
 * The hosts of the answer's NOTLISTING a match running nowhere may run on unseen: its home, when
 * its view is behind or unknown, and any host that cannot list its domains at all, as is one in a
 * view a newer controller names otherwise: not called listing its domains, lest `where` say
 * 'not running' of a domU that may run there.
 */
const mayRunOn = (m: WhereMatch, notListing: readonly NotListing[]): NotListing[] => notListing.filter((h) => h.view !== 'behind' || h.host === m.home);

/** "xen1: its agent cannot read its domains (xl list) for 3 min" */
const notListingReason = (h: NotListing): string =>
  h.view === 'unknown'
    ? `${h.host}: its agent cannot read its domains (xl list) for ${formatAge(h.forMs)}`
    : h.view === 'behind'
      ? `${h.host}: its agent's xl list is behind (for ${formatAge(h.forMs)})`
      : `${h.host}: its agent's view of its domains: ${h.view} (for ${formatAge(h.forMs)})`;

/**
 * Why a stale answer is stale: each silent host with the reason REASONS gives for it
 * (staleReason), or "unreachable or behind" when none was given; for a domU running nowhere,
 * the hosts that cannot list their domains (NOTLISTING, mayRunOn) and the enrolled hosts not
 * heard from yet; null when no host is silent and the answer is only old.
 */
function staleDetail(m: WhereMatch, reasons: ReadonlyMap<string, string>, unreported: readonly string[], notListing: readonly NotListing[]): string | null {
  const silent = [...new Set(m.places.filter((p) => !p.reachable).map((p) => p.host))];
  if (silent.length > 0) return silent.map((h) => reasons.get(h) ?? `${h} unreachable or behind`).join('; ');
  // running nowhere the controller sees: it may run on a host that cannot list its domains, or on an enrolled host that has not reported
  const may = m.places.length === 0 ? [...mayRunOn(m, notListing).map(notListingReason), ...unreported.map((h) => reasons.get(h) ?? `${h}: ${unheardSinceStart(undefined)}`)] : [];
  // its home sends it to a host nobody hears from (a Dom0 that died, perhaps revoked): it may be down
  const went = m.places.length === 0 && m.away !== null ? reasons.get(m.away.currentHost) : undefined;
  if (went !== undefined) return `its home's ledger sends it to ${went}${may.length > 0 ? `; it may run on ${may.join('; ')}` : ''}`;
  if (may.length > 0) return `it may run on ${may.join('; ')}`;
  return m.reachable ? null : 'host unreachable or behind';
}

/** For a match running nowhere the controller sees: the hosts it may run on unseen, as the stale mark names them; null when none. */
export function mayRunNote(m: WhereMatch, notListing: readonly NotListing[]): string | null {
  const hosts = m.places.length === 0 ? mayRunOn(m, notListing) : [];
  return hosts.length === 0 ? null : `${m.name} may run on ${hosts.map(notListingReason).join('; ')}`;
}

/**
 * `web01  xen2  running  home xen1 (away since 14:02, manual)  as of 0.3 s` as columns. A stale
 * answer names its silent hosts, with the reason REASONS gives for each (staleReason), if any;
 * one running nowhere, the hosts it may run on unseen: those that cannot list their domains
 * (NOTLISTING, the answer's `notListing`) and the enrolled hosts UNREPORTED (its `unreported`).
 */
export function whereColumns(m: WhereMatch, now: number, reasons: ReadonlyMap<string, string> = new Map(), unreported: readonly string[] = [], notListing: readonly NotListing[] = [], down: MayBeDown = new Map()): string[] {
  // a silent target's half after the source resumed is not a host it runs on: the state column says what it is
  const shown = (!m.midMigration && (m.unsettled ?? []).length === 0 ? resumedNote(m)?.live : undefined) ?? m.places;
  const hosts = shown.length > 0 ? [...new Set(shown.map((p) => p.host))].join(',') : '-';
  let age = `as of ${formatAge(m.ageMs)}`;
  if (isStale(m)) {
    const detail = staleDetail(m, reasons, unreported, notListing);
    age += `, STALE${detail === null ? '' : ` (${detail})`}`;
  }
  const extra: string[] = [];
  if (m.places.length === 0) for (const a of m.autostart) extra.push(`autostart on ${a.host}: ${a.decision}${a.reason ? ` ${a.reason}` : ''}`);
  if (m.alerts.length > 0) extra.push(`ALERT ${m.alerts.join(', ')}`);
  extra.push(...splitDiskNotes(m.drbd ?? []));
  if (m.places.length === 0) extra.push(...(down.get(m.name) ?? []));
  return [m.name, hosts, stateOf(m, now, notListing, unreported), homeOf(m, now), age, ...extra].map(printable);
}

/** `where -q`'s warning on stderr for a stale answer: its age and why, as the full line says it. */
export function staleWarning(m: WhereMatch, reasons: ReadonlyMap<string, string> = new Map(), unreported: readonly string[] = [], notListing: readonly NotListing[] = []): string {
  const detail = staleDetail(m, reasons, unreported, notListing);
  return printable(`the answer for ${m.name} is stale (as of ${formatAge(m.ageMs)}${detail === null ? '' : `; ${detail}`})`);
}
