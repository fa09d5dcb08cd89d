import type { Clock } from '../../shared/clock/clock.js';
import { inSlices, STOP_SLICES } from '../../shared/clock/in-slices.js';
import type { Logger } from '../../shared/logger.js';
import type { Alert } from '../../shared/protocol/ctl-api.js';
import { emptyAlertBook, reconcileAlerts, sortAlerts, type AlertBook } from '../fleet/alert-book.js';
import { alertScan, byFindingId, findAlerts } from '../fleet/fleet-alerts.js';
import { domuOf, type Finding } from '../fleet/finding.js';
import type { FleetIndex } from '../fleet/fleet-index.js';
import type { Freshness } from '../fleet/host-record.js';
import { TICK } from '../fleet/scan-tick.js';

/** How long one slice of a look over the fleet may hold the event loop (ms on the clock). */
export const ALERT_SCAN_SLICE_MS = 1;

/** The controller's current alerts: re-derived from the fleet view on demand, each raise and clear logged. */
export class AlertKeeper {
  private book: AlertBook = emptyAlertBook();
  /** domU name → ids of the alerts about it (a `NAME@HOST` subject is about NAME) */
  private byDomu = new Map<string, string[]>();
  /** the alerts about a DRBD resource (no domU's subject): where tells them under the domUs using it */
  private aboutDrbd: Alert[] = [];
  /** counts looks begun: a look in slices whose number is no longer the last one is dropped */
  private looks = 0;
  /** the look in slices under way, and whether another was asked for meanwhile */
  private underway: { again: boolean } | null = null;
  /** when the last look in slices ended (clock ms), and the timer holding back the next one */
  private lastEnded = -Infinity;
  private held: (() => void) | null = null;
  private stopped = false;

  constructor(
    private readonly log: Logger,
    private readonly clock: Clock,
    /** the least time from one look in slices ending to the next beginning (settings.ts alertScanEveryMs) */
    private readonly everyMs: number,
  ) {}

  idsOf(name: string): string[] {
    return this.byDomu.get(name) ?? [];
  }

  drbdAlerts(): readonly Alert[] {
    return this.aboutDrbd;
  }

  sorted(): Alert[] {
    return sortAlerts(this.book.current.values());
  }

  /** A look over the whole fleet now, for an answer that needs the alerts as they are (status, metrics, check). */
  refresh(index: FleetIndex, fresh: Freshness): void {
    this.looks++;
    this.take(findAlerts(index, fresh), fresh.now);
  }

  /**
   * The same look, for timers (the heartbeat sweep, a change to the fleet): a slice of at most
   * ALERT_SCAN_SLICE_MS at a time, with the event loop free between slices, so agent messages and
   * requests are not held up behind it. Each domU is judged on the fleet as it is when the look
   * reaches it (one re-added to the index meanwhile may be reached twice: its later finding counts).
   * Asked for while one is under way, another follows it: it may have passed what changed, and a
   * look that each new request restarted would never end while the fleet keeps changing. A look
   * at once begun meanwhile supersedes it: its findings would be older. No look begins sooner than
   * everyMs after the last one ended; one asked for earlier waits until then (asking again
   * meanwhile adds nothing: it will see the fleet as it is when it begins). While a restarted
   * controller takes back 2,000 agents every report asks for a look, and on a loop that busy one
   * look, 1 ms a turn, lasts seconds: counted from its beginning, the next would follow at once.
   */
  refreshInSlices(index: FleetIndex, fresh: () => Freshness): void {
    if (this.stopped || this.held !== null) return;
    if (this.underway !== null) {
      this.underway.again = true;
      return;
    }
    const wait = this.lastEnded + this.everyMs - this.clock.now();
    if (wait > 0) {
      this.held = this.clock.schedule(wait, () => {
        this.held = null;
        this.refreshInSlices(index, fresh);
      });
      return;
    }
    const underway = { again: false };
    this.underway = underway;
    const look = ++this.looks;
    const at = fresh();
    const found = new Map<string, Finding>();
    const finish = (): void => {
      this.underway = null;
      this.lastEnded = this.clock.now();
      if (underway.again) this.refreshInSlices(index, fresh);
    };
    const superseded = (): boolean => look !== this.looks;
    // the scan's ticks are where a slice may end: every item is a chance to look at the clock
    inSlices(
      this.clock,
      alertScan(index, at),
      { per: Infinity, ms: ALERT_SCAN_SLICE_MS },
      (item) => {
        if (superseded()) {
          finish();
          return STOP_SLICES;
        }
        if (item !== TICK) found.set(item.id, item);
      },
      () => {
        if (!superseded()) this.take([...found.values()].sort(byFindingId), at.now);
        finish();
      },
    );
  }

  /** The controller is closing: a look in slices under way is dropped, and none starts. */
  stop(): void {
    this.stopped = true;
    this.looks++;
    this.held?.();
    this.held = null;
  }

  private take(findings: readonly Finding[], now: number): void {
    const changes = reconcileAlerts(this.book, findings, now);
    for (const a of changes.raised) this.log.warn({ event: 'alert-raised', alert: a.id, kind: a.kind, subject: a.subject, hosts: a.hosts }, `ALERT ${a.kind}: ${a.message}`);
    for (const a of changes.cleared) this.log.info({ event: 'alert-cleared', alert: a.id, kind: a.kind, subject: a.subject, hosts: a.hosts }, `alert cleared: ${a.kind} ${a.subject}`);
    this.book = { current: changes.current, pending: changes.pending };
    const byDomu = new Map<string, string[]>();
    const aboutDrbd: Alert[] = [];
    for (const a of changes.current.values()) {
      const name = domuOf(a);
      if (name !== null) byDomu.set(name, [...(byDomu.get(name) ?? []), a.id]);
      else aboutDrbd.push(a);
    }
    this.byDomu = byDomu;
    this.aboutDrbd = aboutDrbd;
  }
}
