import type { LinkDomain, LinkDomuConfig, LinkDrbdResource, Maintenance } from '../../shared/protocol/agent-link-state.js';
import type { FleetIndex } from '../fleet/fleet-index.js';
import type { ConfigsOfNames } from '../fleet/configs-by-name.js';
import { unseenPlaces } from '../fleet/unseen-places.js';
import { isCurrent, isReachable, onControllerClock, standingHalves, type Freshness, type HostRecord } from '../fleet/host-record.js';
import { homeOf } from '../fleet/placement.js';
import { supersededOn } from '../fleet/superseded.js';
import { holdsNothingOf } from '../fleet/foreign-claims.js';
import { unsettledOf, type UnsettledMigration } from '../fleet/unsettled.js';
import { unexplainedHalves } from '../fleet/mid-migration-refusal.js';
import { drbdWitness, type DrbdWitness } from '../fleet/live-partner-word.js';

/**
 * What the planner reads: the fleet view (the agents' last reports) seen through the moves a job
 * has in flight. Built lazily, so a drain of one host looks at that host's domUs and their
 * replica hosts only, not at 40,000 domUs.
 */
export interface FactHost {
  readonly name: string;
  readonly record: HostRecord;
  /** link up and heard from within staleAfter */
  readonly reachable: boolean;
  /** link up but unheard for longer than staleAfter */
  readonly stale: boolean;
  /** reachable, and its agent does not say its view of its domains is behind or unknown */
  readonly current: boolean;
  readonly maintenance: Maintenance;
  readonly totalMiB: number | null;
  /** as reported, less the memory of moves in flight towards this host */
  readonly freeMiB: number | null;
  readonly capabilities: readonly string[];
}

export type DomuState = LinkDomain['state'];

export interface FactDomu {
  readonly name: string;
  /** the one host running a plain (not migrating) row of it; null: none, or several */
  readonly host: string | null;
  /** every host with a row of it (migration rows included) */
  readonly hosts: readonly string[];
  readonly state: DomuState | null;
  readonly memMiB: number;
  readonly vcpus: number;
  /** a migration row is shown, or a move of the asking job is in flight */
  readonly midMigration: boolean;
  /**
   * The sender's half of it (`NAME--migratedaway`) that has stood longest on a host whose report
   * is current, and for how long (the controller's clock), when no move of the asking job is in
   * flight. Null: none. Whether it has stood too long is eligibility's to judge.
   */
  readonly senderHalf: SenderHalf | null;
  /** a half of it no migration explains any more (fleet/mid-migration-refusal.ts), in the fleet's words; null: none, or a move of the asking job in flight */
  readonly unexplainedHalf: string | null;
  /**
   * Migrations of it whose ending nobody knows, as the ledgers of the hosts that ran them keep
   * them (any reported host, silent ones included: the record stays until a person reconciles
   * it there), by host. Empty: none. Nothing may move or start it while one stands.
   */
  readonly unsettled: readonly UnsettledMigration[];
  readonly home: string | null;
  /** the home its current host's ledger records it as a visitor from */
  readonly visitorHome: string | null;
  /** hosts that hold a replica of every DRBD resource of it; 'any' without DRBD disks; null: unknown */
  readonly replicas: readonly string[] | 'any' | null;
  /** hosts that hold a replica of any of its resources (for roll groups) */
  readonly replicaUnion: readonly string[];
  readonly resources: readonly string[];
  /** hosts holding a config for it (where a cold start could happen) */
  readonly configOn: readonly string[];
  /** hosts holding it in their guarded dir (whose autostart may start it) */
  readonly guardedOn: readonly string[];
  /** when it last moved, from the ledgers or the controller's own moves; null: unknown */
  readonly lastMovedAt: number | null;
}

export interface SenderHalf {
  readonly host: string;
  readonly row: string;
  readonly forMs: number;
}

/** A move of the asking job: in flight, or finished but not yet in the agents' reports. */
export interface OverlayMove {
  readonly from: string;
  readonly to: string;
  readonly memMiB: number;
  readonly phase: 'moving' | 'arrived';
}
export type Overlay = ReadonlyMap<string, OverlayMove>;

export interface PlanFacts {
  readonly now: number;
  hostNames(): readonly string[];
  host(name: string): FactHost | undefined;
  domu(name: string): FactDomu | undefined;
  /** the domUs with a row on HOST (after the overlay's arrivals and departures), by name */
  domusOn(host: string): readonly FactDomu[];
  /** the domUs whose home is HOST: claims, HOST's away records, visitor records naming HOST */
  homedAt(host: string): readonly string[];
  /** a ledger records NAME as away from HOST: HOST's away record, or a visitor record naming HOST */
  recordedAway(host: string, name: string): boolean;
  /** the host HOST's own ledger says NAME went to (its away record); null: none */
  awayTo(host: string, name: string): string | null;
  /** the home HOST's ledger records NAME as a visitor from; null: no visitor record there */
  visitorFrom(host: string, name: string): string | null;
  /** hosts whose ledger records NAME as a visitor */
  visitorHosts(name: string): readonly string[];
  /** every domU running somewhere */
  running(): readonly FactDomu[];
  /** the names of the domUs with a live row somewhere, sorted: running() without building 40,000 facts in one go */
  runningNames(): readonly string[];
  /**
   * DRBD resource RESOURCE as HOST last reported it; undefined when HOST does not report it (an
   * agent reports the resources of the domUs it guards and of its standby replicas, an older one
   * only the guarded ones, and none while it cannot read DRBD)
   */
  drbd(host: string, resource: string): LinkDrbdResource | undefined;
  /** where NAME, running nowhere seen, may run unseen: Dom0s that could run it and are unheard (fleet/unseen-places.ts) */
  unseenPlaces(name: string): readonly string[];
  /** SILENT (unheard) by its DRBD peers heard now, on the resources of its last report: one linked to it (it runs, its agent alone silent), one whose link to it is down */
  drbdWitness(silent: string): DrbdWitness;
}

export interface FactsInput {
  readonly index: FleetIndex;
  /** name → host → that host's config of it (the `domus` sections) */
  readonly configs: ConfigsOfNames;
  readonly fresh: Freshness;
  readonly overlay?: Overlay;
  /** name → when the controller last moved it */
  readonly recentMoves?: ReadonlyMap<string, number>;
}

const isLiveRow = (d: LinkDomain): boolean => d.domid !== null && d.state !== 'stopped';

export function planFacts(input: FactsInput): PlanFacts {
  const { index, fresh } = input;
  const overlay = input.overlay ?? new Map<string, OverlayMove>();
  const hosts = new Map<string, FactHost | undefined>();
  const domus = new Map<string, FactDomu | undefined>();
  const inbound = new Map<string, number>();
  for (const m of overlay.values()) inbound.set(m.to, (inbound.get(m.to) ?? 0) + m.memMiB);

  const host = (name: string): FactHost | undefined => {
    if (hosts.has(name)) return hosts.get(name);
    const r = index.record(name);
    const f = r ? hostFact(r, fresh, inbound.get(name) ?? 0) : undefined;
    hosts.set(name, f);
    return f;
  };
  const domu = (name: string): FactDomu | undefined => {
    if (domus.has(name)) return domus.get(name);
    const f = domuFact(input, overlay, name);
    domus.set(name, f);
    return f;
  };
  const domusOn = (h: string): FactDomu[] => {
    // a silent host's row overtaken by the domU's arrival elsewhere is not there to move (fleet/superseded.ts),
    // nor a plain row on a host holding nothing of the domU (fleet/foreign-claims.ts: no copy of it)
    const counted = (d: LinkDomain): boolean => !supersededOn(index, d.baseName, h, fresh) && (d.migration !== null || holdsNothingOf(index, d.baseName, h) === null);
    const names = new Set((index.record(h)?.state?.domains ?? []).filter((d) => d.name !== 'Domain-0' && isLiveRow(d) && counted(d)).map((d) => d.baseName));
    for (const [n, m] of overlay) {
      if (m.phase !== 'arrived') continue;
      if (m.from === h) names.delete(n);
      if (m.to === h) names.add(n);
    }
    return [...names].sort().map(domu).filter((d): d is FactDomu => d !== undefined);
  };
  const homedAt = (h: string): string[] => {
    const s = index.record(h)?.state;
    const names = new Set([...(s?.homes ?? []).map((x) => x.name), ...Object.keys(s?.ledger.away ?? {})]);
    for (const [n, byHost] of index.visitors.entries()) if ([...byHost.values()].some((v) => v.home === h)) names.add(n);
    return [...names].filter((n) => homeOf(index, n).home === h || s?.ledger.away[n] !== undefined).sort();
  };
  const drbdByHost = new Map<string, ReadonlyMap<string, LinkDrbdResource>>();
  const drbd = (h: string, resource: string): LinkDrbdResource | undefined => {
    let byName = drbdByHost.get(h);
    if (byName === undefined) {
      byName = new Map((index.record(h)?.state?.drbd.resources ?? []).map((r) => [r.name, r]));
      drbdByHost.set(h, byName);
    }
    return byName.get(resource);
  };
  const recordedAway = (h: string, n: string): boolean =>
    index.record(h)?.state?.ledger.away[n] !== undefined || [...(index.visitors.get(n)?.values() ?? [])].some((v) => v.home === h);
  const runningNames = (): string[] => [...index.running.names()].sort();
  return {
    now: fresh.now,
    hostNames: () => [...index.hostRecords()].map((r) => r.host).sort(),
    host,
    domu,
    domusOn,
    homedAt,
    recordedAway,
    awayTo: (h, n) => index.record(h)?.state?.ledger.away[n]?.currentHost ?? null,
    visitorFrom: (h, n) => index.record(h)?.state?.ledger.visitors[n]?.home ?? null,
    visitorHosts: (n) => [...(index.visitors.get(n)?.keys() ?? [])].sort(),
    running: () => runningNames().map(domu).filter((d): d is FactDomu => d !== undefined && d.host !== null),
    runningNames,
    drbd,
    unseenPlaces: (n) => unseenPlaces(index, n, fresh),
    drbdWitness: (h) => drbdWitness(index, h, fresh),
  };
}

function hostFact(r: HostRecord, fresh: Freshness, inboundMiB: number): FactHost {
  const reachable = isReachable(r, fresh.now, fresh.staleAfterMs);
  const mem = r.state?.memory;
  return {
    name: r.host,
    record: r,
    reachable,
    stale: r.linkUp && !reachable,
    current: isCurrent(r, fresh.now, fresh.staleAfterMs),
    maintenance: r.state?.maintenance ?? { state: 'online', operationId: null, owner: null },
    totalMiB: mem?.totalMiB ?? null,
    freeMiB: mem?.freeMiB === null || mem?.freeMiB === undefined ? null : Math.max(0, mem.freeMiB - inboundMiB),
    capabilities: r.capabilities,
  };
}

function domuFact(input: FactsInput, overlay: Overlay, name: string): FactDomu | undefined {
  const { index, configs } = input;
  const byHost = index.running.get(name);
  const cfgs = configs.get(name);
  if (!byHost && !cfgs && !index.isKnown(name)) return undefined;
  // as `where` reads them: a silent host's last report overtaken by an arrival elsewhere is no second
  // copy, nor is a plain row from a host that holds nothing of it (fleet/foreign-claims.ts)
  const counted = (h: string, ds: readonly LinkDomain[]): boolean => !supersededOn(index, name, h, input.fresh) && !(ds.every((d) => d.migration === null) && holdsNothingOf(index, name, h) !== null);
  const rows = [...(byHost ?? [])].filter(([h, ds]) => counted(h, ds)).flatMap(([h, ds]) => ds.filter(isLiveRow).map((d) => ({ h, d })));
  const plain = [...new Set(rows.filter((x) => x.d.migration === null).map((x) => x.h))];
  const o = overlay.get(name);
  let host = plain.length === 1 ? (plain[0] as string) : null;
  let hostsWithRows = [...new Set(rows.map((x) => x.h))].sort();
  if (o?.phase === 'arrived') {
    host = o.to;
    hostsWithRows = [o.to];
  }
  const row = rows.find((x) => x.h === host && x.d.migration === null)?.d ?? rows[0]?.d;
  const home = homeOf(index, name).home;
  const cfg = (host !== null ? cfgs?.get(host) : undefined) ?? (home !== null ? cfgs?.get(home) : undefined) ?? [...(cfgs?.values() ?? [])][0];
  const { replicas, union } = replicasOf(index, name, home, cfg);
  const visitorHome = host !== null ? (index.visitors.get(name)?.get(host)?.home ?? null) : null;
  const moved = [input.recentMoves?.get(name), ...ledgerTimes(index, name)].filter((t): t is number => typeof t === 'number' && !Number.isNaN(t));
  return {
    name,
    host,
    hosts: hostsWithRows,
    state: row?.state ?? null,
    memMiB: row?.memMiB ?? cfg?.memMiB ?? 0,
    vcpus: row?.vcpus ?? cfg?.vcpus ?? 0,
    midMigration: o?.phase === 'moving' || (o?.phase !== 'arrived' && rows.some((x) => x.d.migration !== null)),
    senderHalf: o === undefined ? senderHalfOf(input, name, rows) : null,
    unexplainedHalf: o === undefined && rows.some((x) => x.d.migration !== null) ? unexplainedHalves(index, name, rows.map((x) => ({ host: x.h, d: x.d })), input.fresh) : null,
    unsettled: unsettledOf(index, name),
    home,
    visitorHome,
    replicas,
    replicaUnion: union,
    resources: cfg?.resources.map((r) => r.name) ?? [],
    configOn: [...(cfgs?.keys() ?? [])].sort(),
    guardedOn: [...(cfgs ?? [])].filter(([, c]) => c.source === 'guarded').map(([h]) => h).sort(),
    lastMovedAt: moved.length > 0 ? Math.max(...moved) : null,
  };
}

/** Of the hosts holding ROWS, the sender's half that has stood longest on a host whose report is current. */
function senderHalfOf(input: FactsInput, name: string, rows: readonly { readonly h: string }[]): SenderHalf | null {
  const { index, fresh } = input;
  let longest: SenderHalf | null = null;
  for (const h of new Set(rows.map((x) => x.h))) {
    const r = index.record(h);
    if (r === undefined || !isCurrent(r, fresh.now, fresh.staleAfterMs)) continue;
    for (const half of standingHalves(r, fresh.now)) {
      if (half.name === name && (longest === null || half.forMs > longest.forMs)) longest = { host: h, row: half.row, forMs: half.forMs };
    }
  }
  return longest;
}

/** Where its disks allow it to run: the hosts every resource names; without a config, its migrate-tab pair. */
function replicasOf(index: FleetIndex, name: string, home: string | null, cfg: LinkDomuConfig | undefined): { replicas: readonly string[] | 'any' | null; union: string[] } {
  if (cfg) {
    if (cfg.resources.length === 0) return { replicas: 'any', union: [] };
    const sets = cfg.resources.map((r) => new Set(r.hosts));
    const all = [...(sets[0] ?? [])].filter((h) => sets.every((s) => s.has(h))).sort();
    return { replicas: all, union: [...new Set(cfg.resources.flatMap((r) => r.hosts))].sort() };
  }
  const peer = home !== null ? (index.homes.get(name)?.get(home)?.peer ?? null) : null;
  if (home !== null && peer !== null) return { replicas: [home, peer].sort(), union: [home, peer].sort() };
  return { replicas: null, union: [] };
}

function ledgerTimes(index: FleetIndex, name: string): number[] {
  // each on the clock of the agent whose ledger holds it, read on the controller's
  return [...(index.away.get(name) ?? []), ...(index.visitors.get(name) ?? [])].map(([host, r]) => onControllerClock(index.record(host), r.since));
}
