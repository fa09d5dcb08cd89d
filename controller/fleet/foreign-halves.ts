import { pairsWithHolders, type DrbdReportOf } from './disk-pairing.js';
import type { FleetIndex } from './fleet-index.js';
import { finding, hostList, type Finding } from './finding.js';
import { isReachable, type Freshness } from './host-record.js';
import { lookShortlist } from './look-shortlist.js';
import { tickCounter, TICK, type Tick } from './scan-tick.js';
import { nameOrder } from '../../shared/name-order.js';

/** Why HOST cannot hold NAME's disks: a resource of NAME, the hosts it names, and who says so. */
export interface NoDisksThere {
  readonly resource: string;
  readonly hosts: readonly string[];
  readonly by: string;
}

/**
 * Whether HOST cannot hold NAME's disks, so no migration of NAME runs from or into it: a reachable
 * other host's config of NAME names each of NAME's DRBD resources' hosts (`on HOST {}` in its
 * `.res` file, the names plans go by, itself among them), HOST is named by none of one of them,
 * HOST reports no config of NAME, and its side of that resource is paired with none of the hosts
 * named (disk-pairing.ts: a guarded entry or a resource name alone is HOST's own word). Null when
 * not shown so (a domU on shared storage may run anywhere; without another host's config nothing
 * is known).
 */
export function noDisksThere(index: FleetIndex, name: string, host: string, fresh: Freshness): NoDisksThere | null {
  const here = index.record(host)?.state;
  if (here === null || here === undefined || here.domus.some((c) => c.name === name)) return null;
  const drbdOf: DrbdReportOf = (h) => index.record(h)?.state?.drbd.resources;
  const knowers = new Set([...(index.homes.get(name)?.keys() ?? []), ...(index.guarded.get(name)?.keys() ?? []), ...(index.running.get(name)?.keys() ?? [])]);
  for (const by of [...knowers].sort()) {
    const r = index.record(by);
    if (by === host || r?.state === null || r === undefined || !isReachable(r, fresh.now, fresh.staleAfterMs)) continue;
    const cfg = r.state?.domus.find((c) => c.name === name);
    for (const res of cfg?.resources ?? []) {
      if (!res.hosts.includes(by) || res.hosts.includes(host) || pairsWithHolders(host, res.name, res.hosts, drbdOf)) continue;
      return { resource: res.name, hosts: [...res.hosts].sort(nameOrder), by };
    }
  }
  return null;
}

/**
 * A migration half (NAME--migratedaway, NAME--incoming) on a host that cannot hold NAME's disks
 * (noDisksThere): no migration of NAME explains it, yet every move of NAME waits on it, so it is
 * said at once rather than after the stranded-half bounds (a minute; 35 min for a receiving half),
 * which it would otherwise also reach. Another domain of that name left there, or an agent
 * reporting what is not so: a person looks.
 */
export function* halvesWithoutDisks(index: FleetIndex, fresh: Freshness): Generator<Finding | Tick> {
  const tick = tickCounter();
  // the few domUs with a migration row somewhere, as the shortlist keeps them, not every row of the fleet
  for (const name of [...lookShortlist(index).withHalves]) {
    if (tick()) yield TICK;
    for (const [host, rows] of index.running.get(name) ?? []) {
      for (const d of rows) {
        if (d.migration === null) continue;
        const why = noDisksThere(index, d.baseName, host, fresh);
        if (why === null) continue;
        yield finding(
          'migration-stranded',
          `${d.baseName}@${host}`,
          [host, why.by],
          `${d.name} stands on ${hostList(index, [host], fresh)}, which holds no config of ${d.baseName} and no replica of its disks (${why.resource} is on ${why.hosts.join(' and ')}, as ${why.by}'s config of ${d.baseName} says): no migration of ${d.baseName} runs from or into ${host}, yet every move of ${d.baseName} waits on that row. Nothing is started, destroyed or recorded for you: check ${host} by hand (xl list; xenherd-agent status ${d.baseName} there), and its agent`,
        );
      }
    }
  }
}
