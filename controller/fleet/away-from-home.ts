import { isLive } from './conflicts.js';
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
 * Every domU with a home that runs elsewhere and not at home, by name. A domU being migrated
 * (a --incoming / --migratedaway row) is left out until it lands; a domU running nowhere is not
 * away (it may have been shut down on purpose), nor one whose home is unsettled.
 */
export function domusAwayFromHome(index: FleetIndex): AwayDomu[] {
  const out: AwayDomu[] = [];
  for (const [name, byHost] of index.running.entries()) {
    const rows = [...byHost].flatMap(([host, ds]) => ds.map((d) => ({ host, d })));
    if (rows.some((x) => x.d.migration !== null)) continue;
    const runningOn = [...new Set(rows.filter((x) => isLive(x.d)).map((x) => x.host))].sort();
    if (runningOn.length === 0) continue;
    const { home } = homeOf(index, name);
    if (home === null || runningOn.includes(home)) continue;
    out.push({ name, home, runningOn, leftAt: index.away.get(name)?.get(home)?.since ?? null });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}
