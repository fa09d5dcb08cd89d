import type { SimState } from '../sim/model/types.js';

/** an ordered pair: `from` migrates a domU to `to` over `to`'s sshd, so `to` must hold `from`'s key */
export interface MigrationPair {
  readonly from: string;
  readonly to: string;
}

/**
 * The pairs whose migration keys the fleet needs. A domU with DRBD disks can only run where every one
 * of its resources has a replica (the controller's drain, restore, rebalance and roll pick their
 * targets among those hosts, and the fleet file starts it on none other): every ordered pair among
 * those, both ways for the move back. A domU without DRBD disks can go to any
 * host (the controller takes its replicas as "any"), so then every ordered pair is needed.
 */
export function migrationPairs(s: SimState): { readonly anyHostFor: string | null; readonly pairs: readonly MigrationPair[] } {
  const hosts = Object.keys(s.hosts).sort();
  const seen = new Set<string>();
  const pairs: MigrationPair[] = [];
  const add = (from: string, to: string): void => {
    const key = JSON.stringify([from, to]);
    if (from === to || seen.has(key)) return;
    seen.add(key);
    pairs.push({ from, to });
  };
  for (const d of Object.values(s.domus)) {
    if (d.drbd.length === 0) {
      for (const from of hosts) for (const to of hosts) add(from, to);
      return { anyHostFor: d.name, pairs };
    }
    const nodeSets = d.drbd.map((r) => new Set(s.drbd[r]?.nodes ?? []));
    const replicas = [...(nodeSets[0] ?? [])].filter((h) => nodeSets.every((n) => n.has(h)));
    for (const from of replicas) for (const to of replicas) add(from, to);
  }
  return { anyHostFor: null, pairs };
}
