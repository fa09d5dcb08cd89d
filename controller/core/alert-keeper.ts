import type { Logger } from '../../shared/logger.js';
import type { Alert } from '../../shared/protocol/ctl-api.js';
import { emptyAlertBook, reconcileAlerts, sortAlerts, type AlertBook } from '../fleet/alert-book.js';
import { findAlerts } from '../fleet/fleet-alerts.js';
import { domuOf } from '../fleet/finding.js';
import type { FleetIndex } from '../fleet/fleet-index.js';
import type { Freshness } from '../fleet/host-record.js';

/** The controller's current alerts: re-derived from the fleet view on demand, each raise and clear logged. */
export class AlertKeeper {
  private book: AlertBook = emptyAlertBook();
  /** domU name → ids of the alerts about it (a `NAME@HOST` subject is about NAME) */
  private byDomu = new Map<string, string[]>();

  constructor(private readonly log: Logger) {}

  idsOf(name: string): string[] {
    return this.byDomu.get(name) ?? [];
  }

  sorted(): Alert[] {
    return sortAlerts(this.book.current.values());
  }

  refresh(index: FleetIndex, fresh: Freshness): void {
    const changes = reconcileAlerts(this.book, findAlerts(index, fresh), fresh.now);
    for (const a of changes.raised) this.log.warn({ event: 'alert-raised', alert: a.id, kind: a.kind, subject: a.subject, hosts: a.hosts }, `ALERT ${a.kind}: ${a.message}`);
    for (const a of changes.cleared) this.log.info({ event: 'alert-cleared', alert: a.id, kind: a.kind, subject: a.subject, hosts: a.hosts }, `alert cleared: ${a.kind} ${a.subject}`);
    this.book = { current: changes.current, pending: changes.pending };
    const byDomu = new Map<string, string[]>();
    for (const a of changes.current.values()) {
      const name = domuOf(a);
      if (name !== null) byDomu.set(name, [...(byDomu.get(name) ?? []), a.id]);
    }
    this.byDomu = byDomu;
  }
}
