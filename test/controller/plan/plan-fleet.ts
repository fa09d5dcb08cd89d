import { FleetIndex } from '../../../controller/fleet/fleet-index.js';
import { MultiIndex } from '../../../controller/fleet/multi-index.js';
import { planFacts, type Overlay, type PlanFacts } from '../../../controller/plan/facts.js';
import type { HostState, LinkDomain, LinkDomuConfig, LinkDrbdResource, Maintenance, MigrationOperation } from '../../../shared/protocol/agent-link-state.js';
import { record } from '../states.js';

export const NOW = Date.UTC(2024, 5, 1, 12, 0, 0);

export interface HostSpec {
  readonly totalMiB?: number;
  /** default: total − what its domUs take */
  readonly freeMiB?: number;
  readonly maintenance?: Maintenance['state'];
  readonly reachable?: boolean;
  readonly capabilities?: readonly string[];
  /** its agent says its view of its domains is behind or unknown (link feature view-lag) */
  readonly view?: 'behind' | 'unknown';
  /** the DRBD resources its agent reports (a domU's one resource is `r-NAME`); default: none */
  readonly drbd?: readonly LinkDrbdResource[];
  /** default: xl */
  readonly toolstack?: 'xl' | 'xm' | null;
  /** its hypervisor's release, "4.17.5"; default: not reported (an agent older than the field) */
  readonly xen?: string;
}

export interface DomuSpec {
  readonly name: string;
  readonly home: string;
  /** hosts holding a replica of its one DRBD resource; [] = no DRBD disk (any host) */
  readonly replicas: readonly string[];
  readonly memMiB: number;
  readonly vcpus?: number;
  /** where it runs (default: its home); null: not running */
  readonly on?: string | null;
  readonly state?: LinkDomain['state'];
  readonly migration?: LinkDomain['migration'];
  /** its config is reported by no host */
  readonly noConfig?: boolean;
  /** ISO time of its last move, recorded in the ledgers */
  readonly since?: string;
  /** no Dom0 claims it as home (its `home` is only where it runs by default) */
  readonly noHome?: boolean;
  /** with `on: null`: the ledgers still record it away at this host (its home's away record, a visitor record here) */
  readonly awayAt?: string;
  /** with awayAt: whether that host still holds its visitor record (default: it does) */
  readonly visitorRecord?: boolean;
  /** where its config lives on the hosts other than its home (default: their guarded dirs) */
  readonly peerConfig?: 'guarded' | 'config-dir';
  /** with a migration: how long (ms) the controller has seen that row stand */
  readonly halfFor?: number;
  /** migrations of it whose ending nobody knows: the Dom0 whose ledger keeps each (`at`), and its peer */
  readonly unsettled?: readonly { readonly at: string; readonly peer: string; readonly operation?: MigrationOperation }[];
}

export interface FleetSpec {
  readonly hosts: Readonly<Record<string, HostSpec>>;
  readonly domus: readonly DomuSpec[];
}

/** The host states the agents would report for SPEC (homes, ledgers, configs, domains, memory). */
export function statesOf(spec: FleetSpec): Map<string, HostState> {
  const out = new Map<string, HostState>();
  const by = (key: (d: DomuSpec) => readonly (string | null)[]): Map<string, DomuSpec[]> => {
    const m = new Map<string, DomuSpec[]>();
    for (const d of spec.domus) for (const h of new Set(key(d))) if (h !== null) m.set(h, [...(m.get(h) ?? []), d]);
    return m;
  };
  const onOf = (d: DomuSpec): string | null => (d.on === undefined ? d.home : d.on);
  const running = by((d) => [onOf(d)]);
  const related = by((d) => [d.home, onOf(d), d.awayAt ?? null, ...d.replicas]);
  for (const [h, hs] of Object.entries(spec.hosts)) {
    const here = running.get(h) ?? [];
    const mine = related.get(h) ?? [];
    const total = hs.totalMiB ?? 32_768;
    const away: HostState['ledger']['away'] = {};
    const visitors: HostState['ledger']['visitors'] = {};
    const unsettled: NonNullable<HostState['ledger']['unsettled']> = {};
    for (const d of spec.domus) {
      for (const u of d.unsettled ?? []) {
        if (u.at === h) unsettled[d.name] = { peer: u.peer, since: '2024-05-31T23:00:00.000Z', operationId: 'op-u', operation: u.operation ?? 'migrate', message: 'ended unknown' };
      }
    }
    for (const d of mine) {
      const at = onOf(d) ?? d.awayAt ?? null;
      const since = d.since ?? '2024-01-01T00:00:00.000Z';
      if (at === null || at === d.home || d.noHome) continue;
      if (d.home === h) away[d.name] = { home: h, currentHost: at, since, operationId: 'op-0', reason: 'manual' };
      if (at === h && (onOf(d) !== null || d.visitorRecord !== false)) visitors[d.name] = { home: d.home, since, operationId: 'op-0' };
    }
    const configs: LinkDomuConfig[] = mine
      .filter((d) => !d.noConfig && (d.replicas.includes(h) || (d.replicas.length === 0 && d.home === h)))
      .map((d) => ({ name: d.name, source: d.home === h ? ('guarded' as const) : (d.peerConfig ?? 'guarded'), memMiB: d.memMiB, vcpus: d.vcpus ?? 1, resources: d.replicas.length > 0 ? [{ name: `r-${d.name}`, hosts: [...d.replicas] }] : [] }));
    out.set(h, {
      toolstack: hs.toolstack === undefined ? 'xl' : hs.toolstack,
      ...(hs.xen === undefined ? {} : { xen: { major: Number(hs.xen.split('.')[0]), minor: Number(hs.xen.split('.')[1]), version: hs.xen } }),
      memory: { totalMiB: total, freeMiB: hs.freeMiB ?? Math.max(0, total - here.reduce((s, d) => s + d.memMiB, 0)) },
      maintenance: { state: hs.maintenance ?? 'online', operationId: hs.maintenance && hs.maintenance !== 'online' ? 'op-m' : null, owner: hs.maintenance && hs.maintenance !== 'online' ? 'ctl-x' : null },
      domains: here.map((d) => ({ name: d.migration ? `${d.name}--${d.migration}` : d.name, baseName: d.name, domid: 5, state: d.state ?? 'blocked', memMiB: d.memMiB, vcpus: d.vcpus ?? 1, migration: d.migration ?? null })),
      guarded: [],
      drbd: { availability: 'ok', resources: [...(hs.drbd ?? [])] },
      ledger: { seq: 1, away, visitors, ...(Object.keys(unsettled).length > 0 ? { unsettled } : {}) },
      homes: mine.filter((d) => d.home === h && !d.noHome).map((d) => ({ name: d.name, peer: d.replicas.find((r) => r !== h) ?? null, source: 'migrate-tab' })),
      domus: configs,
    });
  }
  return out;
}

/** Plan facts for SPEC, as the controller core would build them from the agents' reports. */
export function factsOf(spec: FleetSpec, overlay?: Overlay): PlanFacts {
  const index = new FleetIndex();
  const configs = new MultiIndex<LinkDomuConfig>();
  for (const [h, s] of statesOf(spec)) {
    const hs = spec.hosts[h] as HostSpec;
    const reachable = hs.reachable ?? true;
    const timed = (kind: 'migratedaway' | 'incoming') => {
      const halves = spec.domus.filter((d) => d.on === h && d.migration === kind && d.halfFor !== undefined);
      return halves.length > 0 ? Object.fromEntries(halves.map((d) => [`${d.name}--${kind}`, { domid: 5, since: NOW - (d.halfFor as number) }])) : undefined;
    };
    const [halvesSince, incomingSince] = [timed('migratedaway'), timed('incoming')];
    index.put({
      ...record(h, s, reachable ? NOW - 1_000 : NOW - 60_000, reachable),
      capabilities: hs.capabilities ?? ['migrate', 'reverse', 'maintenance', 'inspect', 'cold-migrate'],
      viewLag: hs.view ? { view: hs.view, since: NOW - 3_000 } : null,
      ...(halvesSince ? { halvesSince } : {}),
      ...(incomingSince ? { incomingSince } : {}),
    });
    configs.replace(h, s.domus.map((c) => [c.name, c] as const));
  }
  return planFacts({ index, configs, fresh: { now: NOW, staleAfterMs: 15_000 }, ...(overlay ? { overlay } : {}) });
}
