import type { ControllerCore } from '../../../controller/core/controller-core.js';
import type { CommandMessage } from '../../../shared/protocol/agent-link.js';
import type { LinkDrbdResource } from '../../../shared/protocol/agent-link-state.js';
import type { SimClock } from '../../sim/daemon/clock.js';
import { SimDom0, type Reply, type SimDomain, type SimWorld } from './sim-dom0.js';

/** What goes wrong with a domU's next migration. */
export type MigrationFault =
  /** fails before the switch-over: still at the source (XH_ERR_MIGRATION_FAILED) */
  | 'fail'
  /** refused by the agent's preflight, nothing moved (XH_ERR_REFUSED, as a DRBD pair out of step is) */
  | 'refused'
  /** moves, but the agent reports the ending as undefined (XH_ERR_MIGRATION_UNKNOWN) */
  | 'unknown-moved'
  /** stays at the source, reported as undefined */
  | 'unknown-stayed'
  /** moves, but the agent sends no progress and no result at all */
  | 'silent'
  /** moves, the other ledger is not told (XH_ERR_MIGRATION_PARTIAL) */
  | 'partial';

export interface SimSpec {
  /** each Dom0; ANNOUNCES: words its agent announces beyond the simulator's own (e.g. link feature `unsettled`) */
  readonly hosts: ReadonlyArray<{ readonly name: string; readonly totalMiB?: number; readonly announces?: readonly string[] }>;
  /** each domU: its home, the hosts holding its DRBD replicas, where it runs (default: home) */
  readonly domus: ReadonlyArray<{ readonly name: string; readonly home: string; readonly replicas: readonly string[]; readonly memMiB: number; readonly vcpus?: number; readonly on?: string | null; readonly state?: SimDomain['state'] }>;
  readonly bandwidthMiBps?: number;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * A fleet of SimDom0s: migrations take memory / bandwidth (plus 0.5 s) and show libxl's
 * --migratedaway / --incoming rows meanwhile; both ledgers are recorded as the agents would;
 * faults are queued per domU. Every domain creation is logged, so a test can assert that no domU
 * was ever started twice.
 */
export class SimFleet implements SimWorld {
  readonly hosts = new Map<string, SimDom0>();
  readonly faults = new Map<string, MigrationFault[]>();
  /** a start at the target refused this many more times (cold fallback: DRBD not yet safe) */
  readonly refuseStarts = new Map<string, number>();
  readonly starts: Array<{ name: string; host: string; at: number }> = [];
  /** largest number of migrations in flight at once, and per host out / in */
  maxInFlight = 0;
  private inFlight = 0;
  readonly bandwidthMiBps: number;

  constructor(
    readonly clock: SimClock,
    readonly spec: SimSpec,
  ) {
    this.bandwidthMiBps = spec.bandwidthMiBps ?? 100;
    for (const h of spec.hosts) {
      const configs = spec.domus.filter((d) => d.replicas.includes(h.name)).map((d) => ({ name: d.name, source: 'guarded' as const, memMiB: d.memMiB, vcpus: d.vcpus ?? 1, resources: [{ name: `r-${d.name}`, hosts: [...d.replicas] }] }));
      const homes = spec.domus.filter((d) => d.home === h.name).map((d) => ({ name: d.name, peer: d.replicas.find((r) => r !== d.home) ?? null, source: 'migrate-tab' as const }));
      const dom0 = new SimDom0(clock, this, h.name, h.totalMiB ?? 16_384, configs, homes);
      dom0.capabilities.push(...(h.announces ?? []));
      this.hosts.set(h.name, dom0);
    }
    for (const d of spec.domus) {
      const on = d.on === undefined ? d.home : d.on;
      if (on === null) continue;
      this.host(on).domains.set(d.name, { name: d.name, memMiB: d.memMiB, vcpus: d.vcpus ?? 1, state: d.state ?? 'blocked', migration: null });
      if (on !== d.home) {
        const since = iso(clock.now() - 3_600_000);
        this.host(d.home).ledger.away[d.name] = { home: d.home, currentHost: on, since, operationId: 'op-earlier', reason: 'manual' };
        this.host(on).ledger.visitors[d.name] = { home: d.home, since, operationId: 'op-earlier' };
      }
    }
  }

  host(name: string): SimDom0 {
    const h = this.hosts.get(name);
    if (!h) throw new Error(`no sim host ${name}`);
    return h;
  }

  connectAll(core: ControllerCore): void {
    for (const h of this.hosts.values()) h.connect(core);
  }

  /** hosts running a plain row of NAME */
  where(name: string): string[] {
    return [...this.hosts.values()].filter((h) => h.domains.get(name)?.migration === null).map((h) => h.name);
  }

  homeOf(name: string): string {
    return this.spec.domus.find((d) => d.name === name)?.home ?? '?';
  }

  fault(name: string, ...f: MigrationFault[]): void {
    this.faults.set(name, [...(this.faults.get(name) ?? []), ...f]);
  }

  command(h: SimDom0, c: CommandMessage, reply: Reply): void {
    switch (c.op) {
      case 'migrate':
        return this.migrate(h, c, reply);
      case 'inspect': {
        const rows = h.state().domains.filter((d) => d.baseName === c.name);
        const resources: LinkDrbdResource[] = h.configs.filter((x) => x.name === c.name).flatMap((x) => x.resources.map((r) => ({ name: r.name, role: h.domains.has(c.name) ? 'Primary' as const : 'Secondary' as const, disk: 'UpToDate', peers: [] })));
        return reply.done(true, null, 'inspected', { kind: 'inspect', host: h.name, name: c.name, rows, resources, busy: h.holds.has(c.name) });
      }
      case 'shutdown':
        return this.shutdown(h, c, reply);
      case 'start':
        return this.start(h, c, reply);
      default:
        return reply.done(false, 'XH_ERR_REFUSED', `the simulation does not do ${c.op}`);
    }
  }

  private migrate(src: SimDom0, c: Extract<CommandMessage, { op: 'migrate' }>, reply: Reply): void {
    const d = src.domains.get(c.name);
    if (!d) return reply.done(false, 'XH_ERR_NOT_FOUND', `${c.name} does not run on ${src.name}`);
    if (src.holds.has(c.name) || d.migration !== null) return reply.done(false, 'XH_ERR_LOCKED', `${c.name} is held`);
    if (c.reason === 'drain' && (src.maintenance.state !== 'draining' || src.maintenance.operationId !== c.operationId)) return reply.done(false, 'XH_ERR_LOCKED', `${src.name} is not draining for operation ${c.operationId}`);
    const spec = this.spec.domus.find((x) => x.name === c.name);
    const to = c.target ?? spec?.replicas.find((r) => r !== src.name) ?? null;
    const dst = to === null ? undefined : this.hosts.get(to);
    if (!dst || !spec?.replicas.includes(dst.name)) return reply.done(false, 'XH_ERR_REFUSED', `${to} holds no replica of ${c.name}`);
    if (dst.domains.has(c.name)) return reply.done(false, 'XH_ERR_REFUSED', `${dst.name} already runs ${c.name}`);
    if (dst.freeMiB < d.memMiB) return reply.done(false, 'XH_ERR_MIGRATION_FAILED', `${dst.name} has no room: Migration failed, resuming at sender.`);
    const fault = this.faults.get(c.name)?.shift() ?? null;
    src.holds.add(c.name);
    dst.holds.add(c.name);
    d.migration = 'migratedaway';
    dst.domains.set(c.name, { ...d, migration: 'incoming' });
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    src.publish();
    dst.publish();
    const ms = Math.round((d.memMiB / this.bandwidthMiBps) * 1000) + 500;
    const t0 = this.clock.now();
    let ticking = true;
    const tick = (): void => {
      this.clock.schedule(5_000, () => {
        if (!ticking) return;
        if (fault !== 'silent') reply.progress(`migrating ${c.name} to ${dst.name}: ${Math.round((this.clock.now() - t0) / 1000)} s`);
        tick();
      });
    };
    tick();
    const stays = fault === 'fail' || fault === 'refused' || fault === 'unknown-stayed';
    this.clock.schedule(stays ? Math.round(ms / 3) : ms, () => {
      ticking = false;
      this.inFlight--;
      src.holds.delete(c.name);
      dst.holds.delete(c.name);
      if (stays) {
        d.migration = null;
        dst.domains.delete(c.name);
      } else {
        src.domains.delete(c.name);
        dst.domains.set(c.name, { ...d, migration: null });
        this.record(c.name, src.name, dst.name, c.operationId, c.reason === 'restore' ? 'reverse' : c.reason);
      }
      src.publish();
      dst.publish();
      if (fault === 'fail') reply.done(false, 'XH_ERR_MIGRATION_FAILED', 'Migration failed, resuming at sender.');
      else if (fault === 'refused') reply.done(false, 'XH_ERR_REFUSED', `preflight: ${c.name}'s DRBD pair is not in step; nothing was moved`);
      else if (fault === 'unknown-moved' || fault === 'unknown-stayed') reply.done(false, 'XH_ERR_MIGRATION_UNKNOWN', '** Migration failed during final handshake **');
      else if (fault === 'partial') reply.done(false, 'XH_ERR_MIGRATION_PARTIAL', `${dst.name} was not told`);
      else if (fault !== 'silent') reply.done(true, null, `${c.name} migrated to ${dst.name}`);
    });
  }

  private shutdown(h: SimDom0, c: Extract<CommandMessage, { op: 'shutdown' }>, reply: Reply): void {
    if (!h.domains.has(c.name)) return reply.done(false, 'XH_ERR_NOT_FOUND', `${c.name} does not run here`);
    if (h.holds.has(c.name)) return reply.done(false, 'XH_ERR_LOCKED', `${c.name} is held`);
    h.holds.add(c.name);
    this.clock.schedule(2_000, () => {
      h.holds.delete(c.name);
      h.domains.delete(c.name);
      const home = this.homeOf(c.name);
      if (home === h.name) h.ledger = { ...h.ledger, seq: h.ledger.seq + 1, away: { ...h.ledger.away, [c.name]: { home, currentHost: c.target, since: iso(this.clock.now()), operationId: c.operationId, reason: 'drain' } } };
      h.publish();
      reply.done(true, null, `${c.name} shut down and demoted`);
    });
  }

  private start(h: SimDom0, c: Extract<CommandMessage, { op: 'start' }>, reply: Reply): void {
    if (this.where(c.name).length > 0) return reply.done(false, 'XH_ERR_REFUSED', `${c.name} runs on ${this.where(c.name).join(', ')}`);
    const cfg = h.configs.find((x) => x.name === c.name);
    if (!cfg) return reply.done(false, 'XH_ERR_NOT_FOUND', `no config for ${c.name} here`);
    const refusals = this.refuseStarts.get(c.name) ?? 0;
    if (refusals > 0) {
      this.refuseStarts.set(c.name, refusals - 1);
      return reply.done(false, 'XH_ERR_REFUSED', 'peer role Unknown: deferred');
    }
    this.clock.schedule(1_000, () => {
      h.domains.set(c.name, { name: c.name, memMiB: cfg.memMiB ?? 512, vcpus: cfg.vcpus ?? 1, state: 'blocked', migration: null });
      this.starts.push({ name: c.name, host: h.name, at: this.clock.now() });
      this.record(c.name, c.from, h.name, c.operationId, 'drain');
      h.publish();
      this.hosts.get(c.from)?.publish();
      reply.done(true, null, `${c.name} started`);
    });
  }

  /** Both ledgers, as the agents record a move: home → away; back home → forgotten; visitor → visitor elsewhere. */
  private record(name: string, from: string, to: string, operationId: string, reason: 'manual' | 'drain' | 'rebalance' | 'reverse'): void {
    const home = this.homeOf(name);
    const since = iso(this.clock.now());
    const edit = (host: string, f: (l: SimDom0['ledger']) => SimDom0['ledger']): void => {
      const h = this.hosts.get(host);
      if (h) h.ledger = { ...f(h.ledger), seq: h.ledger.seq + 1 };
    };
    const without = <V>(r: Record<string, V>, k: string): Record<string, V> => Object.fromEntries(Object.entries(r).filter(([n]) => n !== k));
    edit(from, (l) => ({ ...l, visitors: without(l.visitors, name) }));
    if (to === home) edit(to, (l) => ({ ...l, away: without(l.away, name) }));
    else {
      edit(to, (l) => ({ ...l, visitors: { ...l.visitors, [name]: { home, since, operationId } } }));
      edit(home, (l) => ({ ...l, away: { ...l.away, [name]: { home, currentHost: to, since, operationId, reason } } }));
    }
    if (home !== from && home !== to) this.hosts.get(home)?.publish();
  }
}
