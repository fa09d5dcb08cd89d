import type { SimState } from './types.js';

/** per host record: each host's place among the sorted names; see hostAddress */
const byRecord = new WeakMap<SimState['hosts'], ReadonlyMap<string, number>>();

/**
 * A host's replication address: what its `.res` files say (`address 10.0.0.11:7791;`) and what
 * DRBD 9's events2 prints in a connection's path, so both come from here. The sorted names are
 * kept per host record (never changed in place): sorting them on each call cost a fleet of 200
 * Dom0s a sort for each side of each resource of every Dom0's view, on every commit.
 */
export function hostAddress(s: SimState, host: string): string {
  let places = byRecord.get(s.hosts);
  if (!places) {
    places = new Map(Object.keys(s.hosts).sort().map((h, i) => [h, i]));
    byRecord.set(s.hosts, places);
  }
  // a name the fleet has no line for was indexOf's -1: 10.0.0.10, kept so a hand-made state reads as before
  return `10.0.0.${(places.get(host) ?? -1) + 11}`;
}
