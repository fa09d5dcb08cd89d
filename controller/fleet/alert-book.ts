import type { Alert } from '../../shared/protocol/ctl-api.js';
import type { Finding } from './conflicts.js';

export interface AlertChanges {
  readonly current: ReadonlyMap<string, Alert>;
  readonly raised: readonly Alert[];
  readonly cleared: readonly Alert[];
}

/**
 * The alerts after a new look at the fleet: a finding seen before keeps its `since` (its message
 * may change, e.g. how long a host has been silent); one no longer found is cleared.
 */
export function reconcileAlerts(previous: ReadonlyMap<string, Alert>, findings: readonly Finding[], now: number): AlertChanges {
  const current = new Map<string, Alert>();
  const raised: Alert[] = [];
  for (const f of findings) {
    const before = previous.get(f.id);
    const alert: Alert = { ...f, since: before?.since ?? now };
    current.set(f.id, alert);
    if (!before) raised.push(alert);
  }
  const cleared = [...previous.values()].filter((a) => !current.has(a.id));
  return { current, raised, cleared };
}

/** Alerts oldest first, then by id: the order `status` lists them in. */
export const sortAlerts = (alerts: Iterable<Alert>): Alert[] => [...alerts].sort((a, b) => a.since - b.since || a.id.localeCompare(b.id));
