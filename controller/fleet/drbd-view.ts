import { matches, type NamePattern } from '../../shared/name-pattern.js';
import type { LinkDrbdResource } from '../../shared/protocol/agent-link-state.js';
import { DrbdFlagSchema, type DrbdFlag, type DrbdResourceView, type DrbdSide } from '../../shared/protocol/ctl-drbd.js';
import { arePartners } from './conflicts.js';
import { drbdFlags, hasLiveLinkTo, type ViewSide } from './drbd-flags.js';
import type { FleetIndex } from './fleet-index.js';
import { ageOf, isReachable, type Freshness } from './host-record.js';
import { nameOrder } from '../../shared/name-order.js';
import { domusOn, resHostsOn, usersOf } from './resource-users.js';
import { downWithUnreportedOf, type DownWithUnreported } from './down-with-unreported.js';
import { homeOf } from './placement.js';
import { splitSidesFacts } from './split-sides.js';

const FLAG_TEXT_MAX = DrbdFlagSchema.shape.text.maxLength ?? 0;

/** The flags that say the resource is not well; the others (a move's dual Primary, a silent agent its partner vouches for) only inform. */
const DEGRADED = new Set(['down', 'split-brain', 'dual-primary', 'migration-unsettled', 'not-connected', 'syncing', 'not-uptodate']);

/**
 * The fleet's DRBD resources as `xenherdctl drbd` shows them: one entry per resource and pair of
 * Dom0s (the same name on two unrelated pairs is two resources, as conflicts.ts holds), sorted by
 * name, each with what every side reports, and every Dom0 its partner or its `.res` file names
 * that does not report it. A silent Dom0's last report is shown, marked with its age: a partitioned
 * Dom0 may still hold the resource as it said. PATTERN matches the resource's name or a domU's using it.
 * UNREPORTED: the enrolled Dom0s not heard since the controller started, whose heard partners may say
 * what is down with them (a `may-be-down` flag).
 */
export function drbdView(index: FleetIndex, fresh: Freshness, pattern: NamePattern | null, unreported: Iterable<string> = []): DrbdResourceView[] {
  const downs = downWithUnreportedOf(index, fresh, unreported);
  const byName = new Map<string, Map<string, LinkDrbdResource>>();
  for (const r of index.hostRecords()) {
    for (const res of r.state?.drbd.resources ?? []) {
      const hosts = byName.get(res.name) ?? new Map<string, LinkDrbdResource>();
      hosts.set(r.host, res);
      byName.set(res.name, hosts);
    }
  }
  const out: DrbdResourceView[] = [];
  for (const name of [...byName.keys()].sort(nameOrder)) {
    for (const group of pairsOf(index, name, byName.get(name) as Map<string, LinkDrbdResource>)) {
      const v = resourceView(index, fresh, name, group, pattern, downs);
      if (v !== null) out.push(v);
    }
  }
  return out;
}

/** The hosts reporting NAME, grouped by partnership (conflicts.ts arePartners), each group in name order. */
function pairsOf(index: FleetIndex, name: string, reports: ReadonlyMap<string, LinkDrbdResource>): Map<string, LinkDrbdResource>[] {
  const hosts = [...reports.keys()].sort(nameOrder);
  const groups: Map<string, LinkDrbdResource>[] = [];
  for (const h of hosts) {
    const res = reports.get(h) as LinkDrbdResource;
    const joined = groups.filter((g) => [...g].some(([o, r]) => arePartners(index, name, { host: h, resource: res }, { host: o, resource: r })));
    const into = new Map<string, LinkDrbdResource>([[h, res]]);
    for (const g of joined) {
      for (const [o, r] of g) into.set(o, r);
      groups.splice(groups.indexOf(g), 1);
    }
    groups.push(new Map([...into].sort(([a], [b]) => nameOrder(a, b))));
  }
  return groups.sort((a, b) => nameOrder([...a.keys()][0] as string, [...b.keys()][0] as string));
}

/** The Dom0s GROUP's reports name as its partners (DRBD 9's peers that are fleet hosts, the `.res` files' hosts) that report nothing of it. */
function unreportingPartners(index: FleetIndex, name: string, group: ReadonlyMap<string, LinkDrbdResource>): string[] {
  const named = new Set<string>();
  for (const [h, res] of group) {
    for (const o of resHostsOn(index, name, h)) named.add(o);
    for (const p of res.peers) if (index.record(p.name) !== undefined) named.add(p.name);
  }
  return [...named].filter((h) => !group.has(h)).sort(nameOrder);
}

function resourceView(index: FleetIndex, fresh: Freshness, name: string, group: ReadonlyMap<string, LinkDrbdResource>, pattern: NamePattern | null, downs: ReadonlyMap<string, DownWithUnreported>): DrbdResourceView | null {
  const missing = unreportingPartners(index, name, group);
  const hosts = [...group.keys(), ...missing];
  if (pattern !== null && !matches(pattern, name) && !hosts.some((h) => domusOn(index, name, h).some((d) => matches(pattern, d)))) return null;
  const sides: ViewSide[] = hosts.map((host) => {
    const record = index.record(host);
    const res = group.get(host) ?? null;
    return { host, res, reachable: record !== undefined && isReachable(record, fresh.now, fresh.staleAfterMs), ageMs: record === undefined ? null : ageOf(record, fresh.now), record };
  });
  const flags = withSides(index, name, group, drbdFlags(index, fresh, name, sides, downs));
  const ok = !flags.some((f) => DEGRADED.has(f.kind)) && sides.every((s) => vouchedFor(s, sides)) && sides.some((s) => s.res !== null && s.reachable);
  return { name, domus: usersOf(index, name, hosts), sides: sides.map(sideOf), flags, ok };
}

/**
 * FLAGS with the split brain's sides (split-sides.ts) after its first such flag's words, of the
 * domU using the resource when one alone does: what helps choose the side whose writes are thrown
 * away. Left off a flag it would make longer than xenherdctl reads (long host names): the flag
 * and the README's runbook still stand.
 */
function withSides(index: FleetIndex, name: string, group: ReadonlyMap<string, LinkDrbdResource>, flags: DrbdFlag[]): DrbdFlag[] {
  if (!flags.some((f) => f.kind === 'split-brain')) return flags;
  const reporting = [...group.keys()];
  const users = usersOf(index, name, reporting);
  const domu = users.length === 1 ? (users[0] ?? null) : null;
  const facts = splitSidesFacts(index, domu, domu === null ? null : homeOf(index, domu).home, [name], reporting);
  // once, on the first: a dual Primary while cut and StandAlone are two flags of one split
  const first = flags.findIndex((f) => f.kind === 'split-brain');
  const said = (f: DrbdFlag): DrbdFlag => {
    const text = `${f.text}; each side: ${facts}`;
    return text.length <= FLAG_TEXT_MAX ? { ...f, text } : f;
  };
  return facts === '' ? flags : flags.map((f, i) => (i === first ? said(f) : f));
}

/** S speaks for itself now, or a side heard now is connected to it: DRBD's link is its live word. */
const vouchedFor = (s: ViewSide, sides: readonly ViewSide[]): boolean => (s.res !== null && s.reachable) || hasLiveLinkTo(s, sides, true);

function sideOf(s: ViewSide): DrbdSide {
  return {
    host: s.host,
    reported: s.res !== null,
    role: s.res?.role ?? null,
    disk: s.res?.disk ?? null,
    peers: (s.res?.peers ?? []).map((p) => ({ name: p.name, role: p.role, connection: p.connection, disk: p.disk, replication: p.replication })),
    reachable: s.reachable,
    ageMs: s.ageMs,
    inFleet: s.record !== undefined,
  };
}
