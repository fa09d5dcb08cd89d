import type { SimState } from './types.js';

/**
 * A host's replication address: what its `.res` files say (`address 10.0.0.11:7791;`) and what
 * DRBD 9's events2 prints in a connection's path, so both come from here.
 */
export function hostAddress(s: SimState, host: string): string {
  return `10.0.0.${Object.keys(s.hosts).sort().indexOf(host) + 11}`;
}
