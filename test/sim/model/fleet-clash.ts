import type { DrbdResource } from './types.js';
import { FleetError, type Line } from './fleet-line.js';

/** Where a resource's minor and port came from: its resource line, or the domu line that named it. */
export interface ResourceOrigin { readonly resourceLine: Line | null; readonly domuLine: Line }

/**
 * Two resources with a replica on one host cannot share a minor (one /dev/drbdN) or a port (one
 * listening socket): drbdadm up refuses the second. R is the newest in DRBD; each earlier one is
 * checked against it.
 */
export function checkResourceClash(drbd: Readonly<Record<string, DrbdResource>>, origin: Readonly<Record<string, ResourceOrigin>>, r: string): void {
  const res = drbd[r]!;
  for (const other of Object.values(drbd)) {
    if (other.name === r) continue;
    const host = res.nodes.find((n) => other.nodes.includes(n));
    if (host === undefined) continue;
    for (const key of ['minor', 'port'] as const) {
      if (other[key] !== res[key]) continue;
      const o = origin[r]!;
      const given = o.resourceLine?.kv[key] !== undefined;
      const where = given ? `line ${o.resourceLine!.no}: resource ${r}: ${key}=${res[key]}` : `line ${o.domuLine.no}: domu ${o.domuLine.name}: drbd=${r} gets ${key} ${res[key]} (${key === 'port' ? `7788 + its minor ${res.minor}` : 'the next free one'}, as no resource ${r} line gives ${key}=)`;
      const first = origin[other.name]!;
      const firstAt = first.resourceLine?.kv[key] !== undefined ? first.resourceLine : first.domuLine;
      throw new FleetError(`${where}: ${other.name} (line ${firstAt.no}) has ${key} ${res[key]} too, and both have a replica on ${host}: expected a ${key} no other resource on ${host} uses (set it with resource ${r} ${key}=N)`);
    }
  }
}
