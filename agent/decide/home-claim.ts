import type { Ledger } from '../state/ledger.js';

// Who may call a domU its own: pure rules over what agent/migrate/homes.ts read from this Dom0
// (guarded dir, migrate-tab, DRBD resource files) and the ledger.

/**
 * Which domUs have this Dom0 as their home (its guarded dir, or /etc/xen/migrate-tab.txt), and
 * each one's migration partner: migrate-tab column 2, else the other host of its DRBD resources.
 */
export interface HomeEntry {
  readonly name: string;
  readonly peer: string | null;
  /** migrate-tab options that are on the allowlist (passed to the toolstack) */
  readonly options: readonly string[];
  /** migrate-tab options left out (not on the allowlist) */
  readonly ignoredOptions: readonly string[];
  readonly drbdResources: readonly string[];
  /**
   * migrate-tab: this host says it is the home. guarded only: the config may sit in the guarded
   * dir of both Dom0s of a pair (either may start it after a reboot), so either may be its home
   * and the ledger decides (see homeHere).
   */
  readonly source: 'migrate-tab' | 'guarded';
}

/**
 * Is this host NAME's home, as the ledger now stands? A migrate-tab entry says so outright. A
 * domU that is only in the guarded dir is a visitor instead when the ledger records it as one:
 * with the config in both Dom0s' guarded dirs, the Dom0 it left is its home.
 */
export function homeHere(homes: ReadonlyMap<string, HomeEntry>, ledger: Ledger, name: string): HomeEntry | undefined {
  const h = homes.get(name);
  if (h === undefined) return undefined;
  return h.source === 'guarded' && ledger.visitors[name] !== undefined ? undefined : h;
}

/** The names homeHere accepts: for reconciling the ledger against xl list. */
export const homedHere = (homes: ReadonlyMap<string, HomeEntry>, ledger: Ledger): Set<string> => new Set([...homes.keys()].filter((n) => homeHere(homes, ledger, n) !== undefined));

/**
 * May PEER claim NAME as its own domU? Yes unless this host is NAME's home by its migrate-tab, or
 * by its guarded dir with another host as NAME's partner. (A guarded-only domU whose DRBD partner
 * is PEER has two possible homes; the one that asks for it back is the one it left.)
 */
export function peerMayClaim(homes: ReadonlyMap<string, HomeEntry>, name: string, peer: string): boolean {
  const h = homes.get(name);
  return h === undefined || (h.source === 'guarded' && h.peer === peer);
}
