import type { LinkDrbdResource } from '../../shared/protocol/agent-link-state.js';
import type { WhereDisk } from '../../shared/protocol/ctl-where.js';
import { standAlone } from './drbd-flags.js';
import { subjectName } from './finding.js';
import type { FleetIndex } from './fleet-index.js';
import { isReachable, type Freshness } from './host-record.js';
import { liveLinkTo } from './live-partner-word.js';
import { nameOrder } from '../../shared/name-order.js';
import { domusOn, resHostsOn } from './resource-users.js';
import { whereSplitSides } from './split-sides.js';

/** An open alert about a DRBD resource (drbd-primary-on-both, subject `r1@xen1+xen2`), as the alert keeper holds it. */
export interface DrbdAlertRef {
  readonly id: string;
  readonly subject: string;
  readonly hosts: readonly string[];
}

/**
 * What `where` needs to say a domU's disks are split, for one answer: the open DRBD alerts, and
 * each Dom0's StandAlone resources, read once per Dom0 and answer, as a glob asks for every domU
 * and most Dom0s have none.
 */
export class DiskTrouble {
  private readonly alone = new Map<string, readonly string[]>();
  private readonly detached = new Map<string, readonly LinkDrbdResource[]>();

  constructor(
    readonly index: FleetIndex,
    private readonly fresh: Freshness,
    readonly alerts: readonly DrbdAlertRef[],
  ) {}

  /** The resources HOST reports StandAlone; none from a Dom0 not heard now, whose last word may be old (check judges it so too). */
  standAloneOn(host: string): readonly string[] {
    let names = this.alone.get(host);
    if (names === undefined) {
      const r = this.index.record(host);
      names = r?.state && isReachable(r, this.fresh.now, this.fresh.staleAfterMs) ? r.state.drbd.resources.filter(standAlone).map((res) => res.name) : [];
      this.alone.set(host, names);
    }
    return names;
  }

  /**
   * HOST is not heard now, and no Dom0 heard now has its DRBD connected to it on RESOURCE: its
   * Primary is its last report, and it may be dead. One a live partner is connected to is up, its
   * agent alone silent: two copies write, a split brain.
   */
  unheardCutOff(host: string, resource: string): boolean {
    const r = this.index.record(host);
    if (r !== undefined && isReachable(r, this.fresh.now, this.fresh.staleAfterMs)) return false;
    return liveLinkTo(this.index, [resource], host, this.fresh) === null;
  }

  /**
   * The resources whose disk DRBD detached on HOST (Diskless, Failed), as a Dom0 heard now reports
   * them; none from one not heard now, nor one HOST is a DRBD client of (Diskless by design).
   */
  detachedOn(host: string): readonly LinkDrbdResource[] {
    let found = this.detached.get(host);
    if (found === undefined) {
      const r = this.index.record(host);
      found = r?.state && isReachable(r, this.fresh.now, this.fresh.staleAfterMs) ? r.state.drbd.resources.filter((res) => (res.disk === 'Diskless' && res.client !== true) || res.disk === 'Failed') : [];
      this.detached.set(host, found);
    }
    return found;
  }
}

const uses = (index: FleetIndex, name: string, resource: string, host: string): boolean => domusOn(index, resource, host).includes(name);

/**
 * NAME's DRBD resources whose sides may hold different writes, as HOLDERS (the Dom0s running it
 * or claiming it as home) name them: an open Primary-on-both alert about one, keyed by the
 * resource and not the domU, so `where NAME` would not list it among NAME's alerts; and one a
 * holder or its `.res` partner reports StandAlone, which stays after the victim is made
 * Secondary until it has resynced. By resource, Primary on both first.
 */
export function splitDisksOf(trouble: DiskTrouble, name: string, holders: readonly string[], home: string | null): WhereDisk[] {
  const index = trouble.index;
  const out: WhereDisk[] = [];
  for (const a of trouble.alerts) {
    const resource = subjectName(a.subject);
    if (!a.hosts.some((h) => holders.includes(h) && uses(index, name, resource, h))) continue;
    // a side known only from its last report may be a Dom0 that died: its runbook, not the split brain's, may be the one
    const unheard = a.hosts.filter((h) => trouble.unheardCutOff(h, resource));
    out.push({ resource, kind: 'primary-on-both', hosts: [...a.hosts], alert: a.id, ...(unheard.length > 0 ? { unheard } : {}), ...whereSplitSides(index, name, home, resource, a.hosts) });
  }
  const alone = new Map<string, Set<string>>();
  for (const h of holders) {
    for (const resource of trouble.standAloneOn(h)) {
      if (!uses(index, name, resource, h)) continue;
      const hosts = alone.get(resource) ?? new Set<string>();
      // its partner cut off too is the same split, seen from the other end
      for (const o of [h, ...resHostsOn(index, resource, h)]) if (trouble.standAloneOn(o).includes(resource)) hosts.add(o);
      alone.set(resource, hosts);
    }
  }
  for (const [resource, hosts] of alone) out.push({ resource, kind: 'standalone', hosts: [...hosts].sort(nameOrder), ...whereSplitSides(index, name, home, resource, [...hosts]) });
  return out.sort((a, b) => nameOrder(a.resource, b.resource) || Number(a.kind !== 'primary-on-both') - Number(b.kind !== 'primary-on-both'));
}
