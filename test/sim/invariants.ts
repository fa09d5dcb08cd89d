import { baseName, type SimState } from './model/types.js';

/**
 * Checked after every state change:
 *  1. no domU runs on two hosts (an un-suffixed instance of the same name on two hosts);
 *  2. no DRBD resource is Primary on both nodes unless a migration of a domU using it is in flight
 *     (or its two half-migrated copies, NAME--incoming / NAME--migratedaway, still exist);
 *  3. no powered-on host has negative free memory.
 */
export function checkInvariants(s: SimState): string[] {
  const out: string[] = [];
  const where = new Map<string, Set<string>>();
  for (const d of s.domains) {
    if (d.run === 'dying' || d.name !== baseName(d.name)) continue;
    const set = where.get(d.name) ?? new Set<string>();
    set.add(d.host);
    where.set(d.name, set);
  }
  for (const [name, hosts] of where) if (hosts.size > 1) out.push(`domU ${name} runs on ${hosts.size} hosts: ${[...hosts].sort().join(', ')}`);
  for (const r of Object.values(s.drbd)) {
    const primaries = r.nodes.filter((n) => r.replicas[n]?.role === 'Primary');
    if (primaries.length < 2) continue;
    const users = new Set(s.domains.filter((d) => d.drbd.includes(r.name)).map((d) => baseName(d.name)));
    const inFlight = s.migrations.some((m) => users.has(m.domain)) || s.domains.some((d) => d.drbd.includes(r.name) && d.name !== baseName(d.name));
    if (!inFlight) out.push(`DRBD ${r.name} is Primary on both ${primaries.join(' and ')} with no migration in flight`);
  }
  // one pass over the domains for every host: freeMiB host by host was the fleet's Dom0s times its domUs, every commit
  const used = new Map<string, number>();
  for (const d of s.domains) used.set(d.host, (used.get(d.host) ?? 0) + d.memMiB);
  for (const h of Object.values(s.hosts)) {
    if (h.power !== 'on') continue;
    const free = h.totalMiB - h.dom0MiB - h.overheadMiB - (used.get(h.name) ?? 0);
    if (free < 0) out.push(`host ${h.name} free memory is negative (${free} MiB)`);
  }
  return out;
}
