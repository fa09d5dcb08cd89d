import type { Alert, AlertKind } from '../../shared/protocol/ctl-api.js';
import { asAlert, type Finding } from './finding.js';
import { nameOrder } from '../../shared/name-order.js';

/**
 * How long a finding must be seen without a break before it is an alert. Most conditions are
 * alerts at once. Two are also what every migration looks like for a moment, and an alert raised
 * and cleared for each migration would teach people to ignore it: a domU away with no ledger
 * record (between landing and both agents writing their ledgers, a second or two), and a ledger
 * saying away at a host that does not run it (a reverse lands before the home's ledger ends its
 * away record; a cold move's domU is down between its two halves, some seconds). A finding of any
 * kind may carry a grace of its own for one shape of it (`Finding.settleMs`).
 */
export const ALERT_GRACE_MS: Readonly<Record<AlertKind, number>> = {
  'running-on-two-hosts': 0,
  'home-claimed-twice': 0,
  'drbd-primary-on-both': 0,
  'ledger-away-not-there': 30_000,
  'migration-stranded': 0,
  'migration-unsettled': 0,
  'away-unrecorded': 30_000,
  'foreign-claim': 0,
};

/** The alerts, and the findings still inside their grace (id → first seen). */
export interface AlertBook {
  readonly current: ReadonlyMap<string, Alert>;
  readonly pending: ReadonlyMap<string, number>;
}

export const emptyAlertBook = (): AlertBook => ({ current: new Map(), pending: new Map() });

export interface AlertChanges extends AlertBook {
  readonly raised: readonly Alert[];
  readonly cleared: readonly Alert[];
}

/**
 * The alerts after a new look at the fleet: a finding seen before keeps its `since` (its message
 * may change, e.g. how long a host has been silent); one no longer found is cleared, and one in
 * its grace that is not found again starts over. `since` is when the finding was first seen.
 */
export function reconcileAlerts(previous: AlertBook, findings: readonly Finding[], now: number): AlertChanges {
  const current = new Map<string, Alert>();
  const pending = new Map<string, number>();
  const raised: Alert[] = [];
  for (const f of findings) {
    const before = previous.current.get(f.id);
    const firstSeen = before?.since ?? previous.pending.get(f.id) ?? now;
    if (before === undefined && now - firstSeen < (f.settleMs ?? ALERT_GRACE_MS[f.kind])) {
      pending.set(f.id, firstSeen);
      continue;
    }
    const alert = asAlert(f, firstSeen);
    current.set(f.id, alert);
    if (!before) raised.push(alert);
  }
  const cleared = [...previous.current.values()].filter((a) => !current.has(a.id));
  return { current, pending, raised, cleared };
}

/** Alerts oldest first, then by id: the order `status` lists them in. */
export const sortAlerts = (alerts: Iterable<Alert>): Alert[] => [...alerts].sort((a, b) => a.since - b.since || nameOrder(a.id, b.id));
