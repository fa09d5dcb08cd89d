import type { LinkDomain } from '../../shared/protocol/agent-link-state.js';
import { isLive } from './live-row.js';
import type { FleetIndex } from './fleet-index.js';
import { homeOf } from './placement.js';

/** A domU that runs, but not on its home. */
export interface AwayDomu {
  readonly name: string;
  readonly home: string;
  /** the hosts running it (more than one is the running-on-two-hosts alert's business) */
  readonly runningOn: readonly string[];
  /** when it left, as the home's ledger records it (ISO, the agent's clock); null without a record */
  readonly leftAt: string | null;
}

/**
 * NAME (running on the hosts of BYHOST) when it runs elsewhere and not at home. A domU being
 * migrated (a --incoming / --migratedaway row) is left out until it lands; a domU running nowhere
 * is not away (it may have been shut down on purpose), nor one whose home is unsettled.
 */
export function awayFromHome(index: FleetIndex, name: string, byHost: ReadonlyMap<string, readonly LinkDomain[]>): AwayDomu | null {
  const rows = [...byHost].flatMap(([host, ds]) => ds.map((d) => ({ host, d })));
  if (rows.some((x) => x.d.migration !== null)) return null;
  const runningOn = [...new Set(rows.filter((x) => isLive(x.d)).map((x) => x.host))].sort();
  if (runningOn.length === 0) return null;
  const { home } = homeOf(index, name);
  if (home === null || runningOn.includes(home)) return null;
  return { name, home, runningOn, leftAt: index.away.get(name)?.get(home)?.since ?? null };
}

/** Every domU with a home that runs elsewhere and not at home (awayFromHome), by name. */
export function domusAwayFromHome(index: FleetIndex): AwayDomu[] {
  const out: AwayDomu[] = [];
  for (const [name, byHost] of index.running.entries()) {
    const a = awayFromHome(index, name, byHost);
    if (a !== null) out.push(a);
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}
