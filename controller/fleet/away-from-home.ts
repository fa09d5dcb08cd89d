import type { LinkDomain } from '../../shared/protocol/agent-link-state.js';
import type { MigrationReason } from '../../shared/protocol/agent-link-values.js';
import { isLive } from './live-row.js';
import type { FleetIndex } from './fleet-index.js';
import { nameOrder } from '../../shared/name-order.js';
import { holdsNothingOf } from './foreign-claims.js';
import { homeOf } from './placement.js';

/** A domU that runs, but not on its home. */
export interface AwayDomu {
  readonly name: string;
  readonly home: string;
  /** the hosts running it (more than one is the running-on-two-hosts alert's business) */
  readonly runningOn: readonly string[];
  /**
   * when it left, as the home's ledger records it (with the move's reason), or else the running
   * host's visitor record (ISO, on the clock of HOST's agent; no reason); null without either
   */
  readonly leftAt: { readonly iso: string; readonly host: string; readonly reason: MigrationReason | null } | null;
}

/**
 * NAME (running on the hosts of BYHOST) when it runs elsewhere and not at home. A domU being
 * migrated (a --incoming / --migratedaway row) is left out until it lands; a domU running nowhere
 * is not away (it may have been shut down on purpose), nor one whose home is unsettled.
 */
export function awayFromHome(index: FleetIndex, name: string, byHost: ReadonlyMap<string, readonly LinkDomain[]>): AwayDomu | null {
  const runningOn: string[] = [];
  for (const [host, rows] of byHost) {
    for (const d of rows) {
      if (d.migration !== null) return null;
      // a host holding nothing of NAME runs no copy of it (foreign-claims.ts: an alert of its own)
      if (isLive(d) && !runningOn.includes(host) && holdsNothingOf(index, name, host) === null) runningOn.push(host);
    }
  }
  if (runningOn.length === 0) return null;
  const { home } = homeOf(index, name);
  if (home === null || runningOn.includes(home)) return null;
  const awayRecord = index.away.get(name)?.get(home);
  const visitorHost = runningOn.find((h) => index.visitors.get(name)?.get(h)?.home === home);
  const visitorSince = visitorHost === undefined ? undefined : index.visitors.get(name)?.get(visitorHost)?.since;
  const leftAt = awayRecord !== undefined ? { iso: awayRecord.since, host: home, reason: awayRecord.reason } : visitorHost !== undefined && visitorSince !== undefined ? { iso: visitorSince, host: visitorHost, reason: null } : null;
  return { name, home, runningOn: runningOn.sort(nameOrder), leftAt };
}

/**
 * Every domU with a home that runs elsewhere and not at home (awayFromHome), by name, as the
 * index keeps it. Worked out again only for the domUs whose rows, claims or ledger records
 * changed since the last call: at thousands of hosts, working out every domU's home takes the
 * controller's event loop for a good part of a second, and this runs at every metrics scrape and
 * every check.
 */
export function domusAwayFromHome(index: FleetIndex): AwayDomu[] {
  return [...awayBook(index).values()].sort((a, b) => nameOrder(a.name, b.name));
}

/** The domUs away from home (domusAwayFromHome) by name, brought up to date: what `where` marks away is what check counts. */
export function awayBook(index: FleetIndex): ReadonlyMap<string, AwayDomu> {
  const book = index.domusAway;
  for (const name of index.takeAwayInputsChanged()) {
    const byHost = index.running.get(name);
    const a = byHost === undefined ? null : awayFromHome(index, name, byHost);
    if (a === null) book.delete(name);
    else book.set(name, a);
  }
  return book;
}
