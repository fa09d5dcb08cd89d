import type { DrbdResource, SimState } from './types.js';

/**
 * Each Dom0's DRBD resources, in the order of the state's resource record (a sort by minor then
 * keeps that order for a tie, as a scan of the record did). Built once for each resource record a
 * commit makes and shared by every look at that state: the views of an in-process fleet were
 * each a scan of every resource, for every Dom0 on every commit, which made a fleet of 200 Dom0s
 * cost its Dom0s times its resources per state change. The record is never changed in place
 * (every operation makes a new one), so its identity says whether the index still holds.
 */
const byRecord = new WeakMap<SimState['drbd'], ReadonlyMap<string, readonly DrbdResource[]>>();

export function resourcesOf(s: SimState, host: string): readonly DrbdResource[] {
  let index = byRecord.get(s.drbd);
  if (!index) {
    const built = new Map<string, DrbdResource[]>();
    for (const r of Object.values(s.drbd)) {
      // a resource names a host once; a hand-made one naming it twice is listed once, as the scan's includes() did
      for (const n of new Set(r.nodes)) {
        const list = built.get(n);
        if (list) list.push(r);
        else built.set(n, [r]);
      }
    }
    index = built;
    byRecord.set(s.drbd, index);
  }
  return index.get(host) ?? [];
}
