import { LinkDomainSchema } from '../../shared/protocol/agent-link-state.js';
import { AlertKindSchema, type Alert, type AlertKind, type HostView } from '../../shared/protocol/ctl-api.js';
import { domusAwayFromHome, type AwayDomu } from './away-from-home.js';
import type { FleetIndex } from './fleet-index.js';
import type { Freshness } from './host-record.js';
import { lookShortlist } from './look-shortlist.js';
import { incomingOvertaken, supersededOn } from './superseded.js';
import { hostViews } from './views.js';

/** The fleet view counted for the metrics. */
export interface FleetCounts {
  readonly hosts: readonly HostView[];
  /** plain toolstack rows (not the --incoming / --migratedaway rows of a migration) by their state, every state included */
  readonly domusByState: ReadonlyMap<string, number>;
  /** domUs with a migration row on some host, not those a ledger keeps as unsettled (their halves wait for a person: no move under way, as `status` counts) */
  readonly domusMigrating: number;
  readonly away: readonly AwayDomu[];
  /** every kind, zero included: a series that vanishes reads as "no data", not as "none" */
  readonly alertsByKind: ReadonlyMap<AlertKind, number>;
}

export function fleetCounts(index: FleetIndex, alerts: readonly Alert[], fresh: Freshness): FleetCounts {
  const domusByState = new Map<string, number>(LinkDomainSchema.shape.state.options.map((s) => [s, 0]));
  const add = (state: string, n: number): void => void domusByState.set(state, (domusByState.get(state) ?? 0) + n);
  // every plain row of the fleet, counted by the index as rows change, not walked at each scrape
  for (const [state, n] of index.plainRowsByState()) add(state, n);
  const { runningOnSeveral, withHalves } = lookShortlist(index);
  // a silent host's overtaken report of a domU that arrived elsewhere is not a second copy of it:
  // only a domU with rows on two hosts or more has one to leave out
  for (const name of runningOnSeveral) {
    const byHost = index.running.get(name);
    if (byHost === undefined || byHost.size < 2) continue;
    for (const [host, rows] of byHost) if (supersededOn(index, name, host, fresh)) for (const d of rows) if (d.migration === null) add(d.state, -1);
  }
  let domusMigrating = 0;
  for (const name of withHalves) {
    const byHost = index.running.get(name);
    if (byHost === undefined) continue;
    let migrating = false;
    for (const [host, rows] of byHost) {
      if (byHost.size > 1 && supersededOn(index, name, host, fresh)) continue;
      for (const d of rows) if (d.migration !== null) migrating ||= !incomingOvertaken(index, name, host, fresh);
    }
    if (migrating && index.unsettled.get(name) === undefined) domusMigrating++;
  }
  const alertsByKind = new Map<AlertKind, number>(AlertKindSchema.options.map((k) => [k, 0]));
  for (const a of alerts) alertsByKind.set(a.kind, (alertsByKind.get(a.kind) ?? 0) + 1);
  return { hosts: hostViews(index, fresh), domusByState, domusMigrating, away: domusAwayFromHome(index), alertsByKind };
}
