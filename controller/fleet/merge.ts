import type { HostView, StatusAnswer } from '../../shared/protocol/ctl-api.js';
import { findAlerts } from './fleet-alerts.js';
import { asAlert, type Finding } from './finding.js';
import { FleetIndex } from './fleet-index.js';
import type { Freshness, HostRecord } from './host-record.js';
import { hostViews, statusAnswer } from './views.js';

export interface MergedFleet {
  readonly index: FleetIndex;
  readonly hosts: HostView[];
  readonly findings: Finding[];
}

/**
 * The fleet view as one pure function of the agents' records: what the controller core keeps up
 * to date incrementally, computed from scratch (for tests, and to check the incremental view).
 */
export function mergeFleet(records: Iterable<HostRecord>, fresh: Freshness): MergedFleet {
  const index = new FleetIndex();
  for (const r of records) index.put(r);
  return { index, hosts: hostViews(index, fresh), findings: findAlerts(index, fresh) };
}

/** The status answer of a merged fleet, every finding stamped `since` now. */
export const mergedStatus = (m: MergedFleet, fresh: Freshness): StatusAnswer =>
  statusAnswer(m.index, m.findings.map((f) => asAlert(f, fresh.now)), fresh);
