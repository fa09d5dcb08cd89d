import type { FleetIndex } from './fleet-index.js';
import { isLive } from './live-row.js';

/** The domUs of HOST whose disks include RESOURCE: guarded there, or configured there (a standby replica, a visitor). */
export const domusOn = (index: FleetIndex, resource: string, host: string): string[] => {
  const state = index.record(host)?.state;
  if (!state) return [];
  const guarded = state.guarded.filter((g) => g.drbdResources.includes(resource)).map((g) => g.name);
  const configured = state.domus.filter((d) => d.resources.some((r) => r.name === resource)).map((d) => d.name);
  return [...new Set([...guarded, ...configured])];
};

/** The domUs of HOST using RESOURCE that HOST reports (or last reported) running, sorted. */
export const usersRunningOn = (index: FleetIndex, resource: string, host: string): string[] =>
  domusOn(index, resource, host)
    .filter((d) => index.running.get(d)?.get(host)?.some(isLive) === true)
    .sort();

/** The hosts HOST's domU configs name for RESOURCE (from its `.res` file there). */
export const resHostsOn = (index: FleetIndex, resource: string, host: string): string[] =>
  (index.record(host)?.state?.domus ?? []).flatMap((d) => d.resources.filter((r) => r.name === resource).flatMap((r) => r.hosts));

/**
 * The domUs using RESOURCE on any of HOSTS, by name: those running somewhere (a live row) when
 * any is, as those are whose disks the resource is now; else every one configured there.
 */
export function usersOf(index: FleetIndex, resource: string, hosts: readonly string[]): string[] {
  const all = [...new Set(hosts.flatMap((h) => domusOn(index, resource, h)))].sort();
  const running = all.filter((n) => [...(index.running.get(n)?.values() ?? [])].some((rows) => rows.some(isLive)));
  return running.length > 0 ? running : all;
}
