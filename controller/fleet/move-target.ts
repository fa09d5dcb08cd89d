import type { FleetIndex } from './fleet-index.js';
import { homeOf } from './placement.js';

/**
 * Where a `migrate NAME` without a HOST will go, as the agent picks it: its DRBD peer. From its
 * home that is the peer the home records; from anywhere else, the home. null when the fleet view
 * does not say (no home known, or no peer recorded): the agent decides then, on its own reads.
 */
export function peerTarget(index: FleetIndex, name: string, source: string): string | null {
  const { home } = homeOf(index, name);
  if (home === null) return null;
  if (home !== source) return home;
  return index.homes.get(name)?.get(home)?.peer ?? null;
}
