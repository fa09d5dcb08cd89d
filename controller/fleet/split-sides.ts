import { SPLIT_BRAIN_SECTION } from '../../shared/drbd-readiness.js';
import { andList } from '../../shared/text/and-list.js';
import { utcMinuteText } from '../../shared/text/utc-time.js';
import type { PrimarySpan, SeenSince } from './copy-since.js';
import type { FleetIndex } from './fleet-index.js';
import { onControllerClock, type HostRecord } from './host-record.js';
import { isLive } from './live-row.js';
import { unsettledOf, unsettledRun, type UnsettledMigration } from './unsettled.js';
import type { WhereDisk, WherePrimarySpan, WhereSeen, WhereSplitSide } from '../../shared/protocol/ctl-where.js';
import { copySinceText, primarySpanText } from '../../shared/text/split-disk-words.js';
import { nameOrder } from '../../shared/name-order.js';

/**
 * What the controller knows of each side of a split brain, for the person who must choose the
 * side whose writes are thrown away: since when each copy ran there and each side was Primary (as
 * this controller saw it begin, or at least since it first heard of that Dom0), from when to when
 * a side demoted while cut was Primary (it may hold writes the other lacks), which side is the
 * domU's home, and where the home's ledger sends it. Advice only: nothing here decides, for the
 * copy whose writes matter is the one clients used last, which only the guests' own logs tell.
 */
export interface SplitSide {
  readonly host: string;
  /** null: the domU does not run there, or the side is of a resource several domUs use */
  readonly running: SeenSince | null;
  /**
   * since when Xen has run the domU there (libxl's start_time, as its agent reports it, on the
   * controller's clock): its start or arrival there, which the controller may not have seen; null
   * when the agent does not say (xm, an older agent or controller link, an unreadable value)
   */
  readonly started: number | null;
  /** by resource: since when it has been Primary there */
  readonly primary: ReadonlyArray<{ readonly resource: string; readonly since: SeenSince }>;
  /** by resource: a Primary there that ended while the resource was cut (the victim demoted, or a side demoted before the split showed) */
  readonly wasPrimary: ReadonlyArray<{ readonly resource: string; readonly span: PrimarySpan }>;
  readonly home: boolean;
  /** the ledger of the home sends the domU here (since, on the agent's clock as it wrote it) */
  readonly awayHereSince: string | null;
  /** a migration of the domU this side ran whose end nobody knows (its ledger's unsettled record): a cut mid-move */
  readonly unsettled: UnsettledMigration | null;
}

/** Since when Xen has run NAME's plain copy on R's Dom0, on the controller's clock; null when not said or unreadable. */
function xenStarted(r: HostRecord | undefined, name: string): number | null {
  const row = r?.state?.domains.find((d) => d.baseName === name && d.migration === null && isLive(d) && d.startedAt !== undefined);
  if (row?.startedAt === undefined) return null;
  const t = onControllerClock(r, row.startedAt);
  return Number.isFinite(t) ? t : null;
}

/** The sides HOSTS of a split brain of NAME (null: a resource several domUs or none use, so no HOME either) over RESOURCES. */
export function splitSides(index: FleetIndex, name: string | null, home: string | null, resources: readonly string[], hosts: readonly string[]): SplitSide[] {
  return [...hosts].sort(nameOrder).map((host) => {
    const record = index.record(host);
    const seen = record?.copiesSince;
    const primary = resources.flatMap((resource) => {
      const since = seen?.primary.get(resource);
      return since === undefined ? [] : [{ resource, since }];
    });
    const wasPrimary = resources.flatMap((resource) => {
      const span = seen?.wasPrimary.get(resource);
      return span === undefined ? [] : [{ resource, span }];
    });
    const away = name === null ? undefined : [...(index.away.get(name)?.values() ?? [])].find((a) => a.currentHost === host);
    const unsettled = name === null ? undefined : unsettledOf(index, name).find((u) => u.host === host);
    return { host, running: name === null ? null : (seen?.running.get(name) ?? null), started: name === null ? null : xenStarted(record, name), primary, wasPrimary, home: home === host, awayHereSince: away?.since ?? null, unsettled: unsettled ?? null };
  });
}

// "or earlier": so already when this controller first heard of that Dom0 (the footnote says it once)
const sinceText = (s: SeenSince): string => `since ${utcMinuteText(s.since)}${s.already ? ' or earlier' : ''}`;
const whereSeen = (s: SeenSince): WhereSeen => (s.already ? { at: s.since, orEarlier: true } : { at: s.since });
const whereSpan = (p: PrimarySpan): WherePrimarySpan => ({ since: whereSeen(p.since), until: p.until, ...(p.unheardFrom === undefined ? {} : { unheardFrom: p.unheardFrom }) });
const spanText = (p: PrimarySpan): string => primarySpanText(whereSpan(p));

// in the words `where` says each side in (copySinceText)
function runningFacts(side: SplitSide, name: string): string[] {
  const since = copySinceText(side.started ?? undefined, side.running === null ? undefined : whereSeen(side.running));
  return since === null ? [] : [`runs ${name} ${since}`];
}

function sideText(side: SplitSide, name: string | null): string {
  const tags = [
    ...(side.home && name !== null ? [`${name}'s home`] : []),
    ...(side.awayHereSince === null ? [] : [`where its home's ledger sends it since ${side.awayHereSince}`]),
    ...(side.unsettled === null ? [] : [`its ledger holds ${unsettledRun(side.unsettled, 'it')} unsettled`]),
  ];
  const facts = [
    ...(name === null ? [] : runningFacts(side, name)),
    ...side.wasPrimary.map((p) => `${p.resource} Primary ${spanText(p.span)}`),
    ...side.primary.map((p) => `${p.resource} Primary ${sinceText(p.since)}`),
  ];
  const label = tags.length === 0 ? side.host : `${side.host} (${tags.join(', ')})`;
  return `${label}: ${facts.length === 0 ? 'no time known' : facts.join(', ')}`;
}

/**
 * The side that has been Primary on RESOURCE longest, when the controller can tell: it saw every
 * other side become Primary, later. Null when a side was Primary already when first heard of.
 */
export function primaryLongest(sides: readonly SplitSide[], resource: string): string | null {
  const on = sides.flatMap((s) => s.primary.filter((p) => p.resource === resource).map((p) => ({ host: s.host, since: p.since })));
  if (on.length < 2) return null;
  const [first, ...rest] = [...on].sort((a, b) => a.since.since - b.since.since);
  if (first === undefined || rest.some((o) => o.since.already === true || o.since.since <= first.since.since)) return null;
  return first.host;
}

/**
 * Each side as splitSides tells it, and which has been Primary longer while cut: "xen1 (web1's
 * home): runs web1 since …, r4 Primary since …; xen3: …; r4 has been Primary longer on xen1".
 * Empty when the controller knows nothing of either side.
 */
export function splitSidesFacts(index: FleetIndex, name: string | null, home: string | null, resources: readonly string[], hosts: readonly string[]): string {
  const sides = splitSides(index, name, home, resources, hosts);
  if (!sides.some((s) => s.home || s.awayHereSince !== null || s.unsettled !== null || s.running !== null || s.started !== null || s.primary.length > 0 || s.wasPrimary.length > 0)) return '';
  const longest = resources.flatMap((r) => {
    const host = primaryLongest(sides, r);
    return host === null ? [] : [`${r} has been Primary longer on ${host}`];
  });
  const earlier = sides.some((s) => (s.started === null && s.running?.already === true) || s.primary.some((p) => p.since.already === true) || s.wasPrimary.some((p) => p.span.since.already === true));
  const lead = earlier ? ' ("or earlier": so already when this controller first heard of that Dom0)' : '';
  return `${sides.map((s) => sideText(s, name)).join('; ')}${longest.length === 0 ? '' : `; ${andList(longest)}`}${lead}`;
}

/**
 * The words a split brain's alert ends with: splitSidesFacts, and how a person decides. Said
 * whatever is known, for the decision is the README's runbook in any case.
 */
export function splitSidesNote(index: FleetIndex, name: string | null, home: string | null, resources: readonly string[], hosts: readonly string[]): string {
  const facts = splitSidesFacts(index, name, home, resources, hosts);
  return `; to choose the copy to keep:${facts === '' ? '' : ` ${facts};`} the copy clients reached last holds the newest writes (compare the guests' own clocks and logs), never decide by this alone: see "${SPLIT_BRAIN_SECTION}" in the README`;
}

/**
 * The sides of NAME's split RESOURCE as `where` carries them (WhereDisk's `sides`), and the side
 * Primary on it longest when that can be told.
 */
export function whereSplitSides(index: FleetIndex, name: string, home: string | null, resource: string, hosts: readonly string[]): Pick<WhereDisk, 'sides' | 'primaryLonger'> {
  const sides = splitSides(index, name, home, [resource], hosts);
  const out: WhereSplitSide[] = sides.map((s) => {
    const primary = s.primary[0]?.since;
    const span = s.wasPrimary[0]?.span;
    return {
      host: s.host,
      ...(s.home ? { home: true as const } : {}),
      ...(s.awayHereSince === null ? {} : { awayHereSince: s.awayHereSince }),
      ...(s.running === null ? {} : { running: whereSeen(s.running) }),
      ...(s.started === null ? {} : { started: s.started }),
      ...(primary === undefined ? {} : { primary: whereSeen(primary) }),
      ...(span === undefined ? {} : { wasPrimary: whereSpan(span) }),
    };
  });
  const longer = primaryLongest(sides, resource);
  return { sides: out, ...(longer === null ? {} : { primaryLonger: longer }) };
}
