import type { CopiesSince } from './copy-since.js';
import type { MoveUnderWay } from './moves-under-way.js';
import type { HostState, LinkDomain, Maintenance } from '../../shared/protocol/agent-link-state.js';
import { halvesCanStrand } from '../../shared/stranded-half.js';

/** A maintenance state and when the controller saw the host enter it (ms on the controller's clock). */
export interface MaintenanceSince {
  readonly state: Maintenance['state'];
  readonly since: number;
  /**
   * true: this controller saw the host enter the state (a report changed it). Absent: the state
   * was already so when it first heard of the host, which may be long after the host entered it
   * (the agent's flag carries no time of its own on the link), so `since` is a lower bound.
   */
  readonly seenEntering?: true;
}

/**
 * What the controller holds about one Dom0: the agent's last reported state and how current it
 * is. Times are ms on the controller's clock (never the agent's: their clocks may disagree).
 */
export interface HostRecord {
  readonly host: string;
  readonly bootId: string | null;
  readonly agentVersion: string | null;
  readonly capabilities: readonly string[];
  /** the agent's link is open now */
  readonly linkUp: boolean;
  /** when the controller last received anything from this agent; null: never */
  readonly lastSeen: number | null;
  /** the last snapshot with deltas applied; null until the first snapshot */
  readonly state: HostState | null;
  /**
   * The last maintenance state the agent reported and since when: set when the controller first
   * hears a state and whenever it changes, kept across link drops and reboots (the flag lives on
   * the Dom0 and survives both). Null until the first snapshot. After a controller restart the
   * time is when this controller first heard of it: the real transition may be older.
   */
  readonly maintenanceSince: MaintenanceSince | null;
  /**
   * The agent said its view of its own domains is not current (link feature `view-lag`): behind a
   * domain change it has yet to re-read, or unable to read `xl list`; since when (controller's
   * clock). Absent or null: current. Cleared by the agent's `current`, by a reboot, and by a new
   * link of an agent whose snapshot does not say its view (blind-rows.ts recordAtHello).
   */
  readonly viewLag?: ViewLag | null;
  /**
   * The domains section as the agent last sent it, when state.domains holds instead the rows it
   * last read before its view turned unknown (blind-rows.ts). Absent: state.domains is the agent's.
   */
  readonly agentDomains?: readonly LinkDomain[];
  /**
   * The sender's halves (`NAME--migratedaway` rows) the host reports, by row name, with the domid
   * last seen and since when the controller has seen that row, whatever its domid (its clock; after
   * a controller restart, since this controller first heard of it). Absent: none.
   */
  readonly halvesSince?: Readonly<Record<string, HalfSince>>;
  /** The receiving halves (`NAME--incoming` rows), kept as halvesSince is (incoming-halves.ts). Absent: none. */
  readonly incomingSince?: Readonly<Record<string, HalfSince>>;
  /**
   * The domUs this host received by migration and still runs as that same domain, by name: when
   * the controller saw the receiving half turn into the plain row (arrivals.ts). Absent: none.
   */
  readonly arrivedAt?: Readonly<Record<string, Arrival>>;
  /**
   * How far the agent's clock is ahead of the controller's (ms; negative: behind), from the `at`
   * of its last report or heartbeat and when it came; 0 within CLOCK_AGREES_MS. Absent: not known
   * yet. The times agents report on their own clocks (a ledger's since, a decision's since) are
   * read on the controller's through it: a Dom0 booted with its clock an hour off would otherwise
   * have its domU "away for 61 min" a minute after it left.
   */
  readonly clockAheadMs?: number;
  /**
   * How this host's last link closed while this controller ran (when, on its clock, with the close
   * code and reason): an agent that said it is stopping is restarting for a while, not lost
   * (agent-stop.ts). Absent: none closed since the controller started.
   */
  readonly linkClosed?: LinkClosed;
  /**
   * Since when the controller has seen each domU run here and each DRBD resource Primary here, so a
   * split brain's alerts can say which copy ran longer (copy-since.ts). Absent: no report yet.
   */
  readonly copiesSince?: CopiesSince;
}

export interface LinkClosed {
  readonly at: number;
  readonly code: number;
  readonly reason: string;
}

export interface HalfSince {
  readonly domid: number | null;
  readonly since: number;
}

/** A migration into a host seen completing: the plain row's domid (the half's, kept by the rename) and when (controller's clock). */
export interface Arrival {
  readonly domid: number | null;
  readonly at: number;
}

export interface ViewLag {
  readonly view: 'behind' | 'unknown';
  readonly since: number;
}

export const newHostRecord = (host: string): HostRecord => ({ host, bootId: null, agentVersion: null, capabilities: [], linkUp: false, lastSeen: null, state: null, maintenanceSince: null });

/** R with its maintenanceSince moved to NOW when its reported maintenance state differs from the one noted. */
export function noteMaintenance(r: HostRecord, now: number): HostRecord {
  const state = r.state?.maintenance.state;
  if (state === undefined || r.maintenanceSince?.state === state) return r;
  return { ...r, maintenanceSince: r.maintenanceSince === null ? { state, since: now } : { state, since: now, seenEntering: true } };
}

/** The migration halves a record times, by the field that keeps their first sight. */
const HALF_KIND = { halvesSince: 'migratedaway', incomingSince: 'incoming' } as const;

/**
 * R with KEY following its reported halves of that kind (halvesSince: senders', incomingSince:
 * receivers'): one seen for the first time from NOW, one no longer reported dropped. A half whose
 * domid changes while its row stays keeps its time (under its new domid): a migration ends its
 * half (destroyed, or renamed back to NAME), and a report without the row restarts the clock, but
 * a row re-listed under new ids without ever leaving (a toolstack's re-listing, an agent that
 * forges it) would otherwise never stand long enough for the stranded-half alerts, while every
 * move of NAME waits on it. R itself when nothing changed: this runs for every report, and almost
 * none holds such a row.
 */
export function noteHalvesOf(r: HostRecord, key: keyof typeof HALF_KIND, now: number): HostRecord {
  const kind = HALF_KIND[key];
  const rows = r.state?.domains ?? [];
  const was = r[key];
  if (was === undefined && !hasHalf(rows, kind)) return r;
  const next: Record<string, HalfSince> = {};
  let changed = false;
  for (const d of rows) {
    if (d.migration !== kind) continue;
    const before = was?.[d.name];
    next[d.name] = before === undefined ? { domid: d.domid, since: now } : before.domid === d.domid ? before : { domid: d.domid, since: before.since };
    changed ||= next[d.name] !== before;
  }
  const kept = Object.keys(next).length;
  if (!changed && kept === Object.keys(was ?? {}).length) return r;
  if (kept === 0) {
    const { [key]: _gone, ...rest } = r;
    return rest;
  }
  return { ...r, [key]: next };
}

/** Some row of ROWS is a migration half of KIND: a loop, not a closure made for every report. */
function hasHalf(rows: readonly LinkDomain[], kind: LinkDomain['migration']): boolean {
  for (const d of rows) if (d.migration === kind) return true;
  return false;
}

/** R with halvesSince following its reported sender's halves (noteHalvesOf). */
export const noteHalves = (r: HostRecord, now: number): HostRecord => noteHalvesOf(r, 'halvesSince', now);

/** A sender's half R reports now, and how long the controller has seen it stand. */
export interface StandingHalf {
  readonly row: string;
  readonly name: string;
  readonly forMs: number;
}

/** The sender's halves R reports, each with how long it has stood at NOW (by halvesSince); none where halves cannot strand (halvesCanStrand). */
export function standingHalves(r: HostRecord, now: number): StandingHalf[] {
  if (r.halvesSince === undefined || !halvesCanStrand(r.state?.toolstack ?? null)) return [];
  const out: StandingHalf[] = [];
  for (const d of r.state?.domains ?? []) {
    const since = d.migration === 'migratedaway' ? r.halvesSince[d.name]?.since : undefined;
    if (since !== undefined) out.push({ row: d.name, name: d.baseName, forMs: now - since });
  }
  return out;
}

/** When the host entered the maintenance state it reports now; null when unknown. */
export const currentMaintenanceSince = (r: HostRecord): number | null =>
  r.state !== null && r.maintenanceSince?.state === r.state.maintenance.state ? r.maintenanceSince.since : null;

/** Reachable: the link is up and the agent was heard from within staleAfterMs. */
export const isReachable = (r: HostRecord, now: number, staleAfterMs: number): boolean =>
  r.linkUp && r.lastSeen !== null && now - r.lastSeen <= staleAfterMs;

/** Current: reachable, and its agent does not say its view of its domains is behind or unknown. */
export const isCurrent = (r: HostRecord, now: number, staleAfterMs: number): boolean => isReachable(r, now, staleAfterMs) && (r.viewLag ?? null) === null;

/**
 * R after its agent said VIEW at NOW (the time it went behind is kept while it stays so); R itself
 * when nothing changed. Out of unknown, the agent's own rows are shown again: it sends the rows it
 * read before it says so.
 */
export function withView(r: HostRecord, view: 'current' | 'behind' | 'unknown', now: number): HostRecord {
  const was = r.viewLag ?? null;
  if (view === 'current' ? was === null : was?.view === view) return r;
  const n = { ...r, viewLag: view === 'current' ? null : { view, since: now } };
  return view === 'unknown' ? n : withoutKeptRows(n);
}

/** R showing its agent's own rows again, not those kept while it could not read them (blind-rows.ts); R itself when it kept none. */
export function withoutKeptRows(r: HostRecord): HostRecord {
  if (r.agentDomains === undefined) return r;
  const { agentDomains, ...rest } = r;
  return { ...rest, state: rest.state === null ? null : { ...rest.state, domains: [...agentDomains] } };
}

/** What the agent says of its view now: 'current' unless it said otherwise on this link. */
export const viewOf = (r: HostRecord): 'current' | 'behind' | 'unknown' => r.viewLag?.view ?? 'current';

/** Within this, a difference is the message's time on the way, not the agent's clock. */
export const CLOCK_AGREES_MS = 2_000;

/** The agent's clock ahead of the controller's, from a message's AT (agent clock) that came at NOW. */
export const clockAheadOf = (at: number, now: number): number => (Math.abs(at - now) <= CLOCK_AGREES_MS ? 0 : at - now);

/** R heard from at NOW by a message other than a report, AT its time on the agent's clock (undefined: one that says none). */
export const heardAt = (r: HostRecord, at: number | undefined, now: number): HostRecord => ({ ...r, lastSeen: now, ...(at !== undefined ? { clockAheadMs: clockAheadOf(at, now) } : {}) });

/** The furthest a Date reaches from the epoch either way: past it, toISOString throws. */
const DATE_RANGE_MS = 8.64e15;

/**
 * ISO, a time the agent of R reported on its own clock, as ms on the controller's clock; NaN when
 * unreadable, or when the shift lands outside what a Date holds (year 275760 moved back an hour):
 * an agent's text must not make a view throw.
 */
export const onControllerClock = (r: HostRecord | undefined, iso: string): number => {
  const t = Date.parse(iso) - (r?.clockAheadMs ?? 0);
  return Math.abs(t) <= DATE_RANGE_MS ? t : Number.NaN;
};

/**
 * ISO as onControllerClock reads it, written as ISO again, for the words a person reads beside the
 * controller's other times ("away since 14:02", "at 2024-05-01T14:02:00.000Z"); ISO itself when R's
 * clock agrees or the time cannot be read.
 */
export function isoOnControllerClock(r: HostRecord | undefined, iso: string): string {
  if (r?.clockAheadMs === undefined || r.clockAheadMs === 0) return iso;
  const t = onControllerClock(r, iso);
  return Number.isNaN(t) ? iso : new Date(t).toISOString();
}

export const ageOf = (r: HostRecord, now: number): number | null => (r.lastSeen === null ? null : Math.max(0, now - r.lastSeen));

/** The fleet-wide timing the views need. */
export interface Freshness {
  readonly now: number;
  readonly staleAfterMs: number;
  /** when this controller started: a host never heard from is unheard since then, not "never" (absent: not known) */
  readonly startedAt?: number;
  /** the live migrations this controller has in flight now (absent: none known): their two ends' plain copies are no conflict */
  readonly moves?: readonly MoveUnderWay[];
}
