import { inStartupGrace, startupGraceMs, type Enrolment } from '../fleet/enrolment.js';
import type { Freshness } from '../fleet/host-record.js';

/** the most forgotten hosts remembered: far more than a fleet revokes between two controller restarts */
export const FORGOTTEN_MAX = 4096;

/** What the core does when the enrolled hosts change. */
export interface EnrolmentActions {
  /** HOST joined: give it a placeholder record unless it has one (a record stored is noted: note) */
  readonly joined: (host: string) => unknown;
  /** HOST left: forget it unless its agent is connected (then it goes when its link closes) */
  readonly left: (host: string) => unknown;
}

/**
 * The core's memory of which Dom0s are enrolled (asked of ENROLLED: serve reads tokens.json's
 * agent tokens; no I/O here) and which of them have not reported since the controller started.
 * The unreported set is kept as records change (note, on every stored record: O(1)), so `where`
 * never scans the hosts to know whether its answer is complete. Without ENROLLED (a test, an
 * embedding that does not know) every host counts as enrolled and none is ever forgotten.
 */
export class EnrolledHosts {
  private hosts: ReadonlySet<string> = new Set();
  /** forgotten host → when it was last heard (null: never), oldest first; only this process's memory */
  private readonly forgotten = new Map<string, number | null>();
  private readonly unreported = new Set<string>();
  private sortedUnreported: readonly string[] | null = [];

  constructor(
    private readonly enrolled: (() => ReadonlySet<string>) | undefined,
    readonly startedAt: number,
  ) {}

  /** Asks for the enrolled hosts; when the set is another than the last one, tells ACT who joined and left. */
  refresh(act: EnrolmentActions): void {
    const next = this.enrolled?.();
    if (next === undefined || next === this.hosts) return;
    const before = this.hosts;
    this.hosts = next;
    // a rotated token (the same host, a new id) leaves the host in both sets: neither joined nor left
    for (const h of next) {
      if (before.has(h)) continue;
      this.forgotten.delete(h);
      act.joined(h);
    }
    for (const h of before) {
      if (next.has(h)) continue;
      this.drop(h);
      act.left(h);
    }
  }

  /** Whether HOST may keep its record once its link is down. */
  isEnrolled(host: string): boolean {
    return this.enrolled === undefined || this.hosts.has(host);
  }

  /** HOST's record now holds a report (REPORTED) or not. */
  note(host: string, reported: boolean): void {
    if (!this.hosts.has(host) || reported !== this.unreported.has(host)) return;
    if (reported) this.unreported.delete(host);
    else this.unreported.add(host);
    this.sortedUnreported = null;
  }

  /** HOST is forgotten: it is no longer waited for. */
  drop(host: string): void {
    if (this.unreported.delete(host)) this.sortedUnreported = null;
  }

  /**
   * HOST was forgotten (revoked, its link down), last heard at LAST_SEEN. Remembered so its agent's
   * peers are told it is silent: a Dom0 revoked because it died may have held domUs, and their
   * homes' `--force` needs the controller to say it no longer hears from it. Bounded: the oldest
   * go first, and a host forgotten long ago reads as never known (not silent: the safe side).
   */
  forgot(host: string, lastSeen: number | null): void {
    this.drop(host);
    this.forgotten.delete(host);
    this.forgotten.set(host, lastSeen);
    if (this.forgotten.size <= FORGOTTEN_MAX) return;
    const oldest = this.forgotten.keys().next();
    if (oldest.done !== true) this.forgotten.delete(oldest.value);
  }

  get unreportedCount(): number {
    return this.unreported.size;
  }

  /** The unreported enrolled hosts, sorted; the same array until the set changes. */
  unreportedHosts(): readonly string[] {
    this.sortedUnreported ??= [...this.unreported].sort();
    return this.sortedUnreported;
  }

  /** `where`'s word that its view is incomplete for want of Dom0s still reconnecting (ctl-where.ts `starting`); empty past the grace. */
  starting(fresh: Freshness): { starting?: { startedAt: number; enrolled: number } } {
    const e = this.enrolment();
    return e !== undefined && e.unreported.size > 0 && inStartupGrace(e, fresh) ? { starting: { startedAt: this.startedAt, enrolled: e.hosts.size } } : {};
  }

  /** `hosts`' end of the start-up grace while an enrolled host is unheard within it (ctl-hosts.ts `graceUntil`); empty past the grace. */
  graceUntil(fresh: Freshness): { graceUntil?: number } {
    const e = this.enrolment();
    return e !== undefined && e.unreported.size > 0 && inStartupGrace(e, fresh) ? { graceUntil: this.startedAt + startupGraceMs(fresh.staleAfterMs, e.hosts.size) } : {};
  }

  /** What `check` reads; undefined when the enrolled hosts are not known. */
  enrolment(): Enrolment | undefined {
    return this.enrolled === undefined ? undefined : { startedAt: this.startedAt, hosts: this.hosts, unreported: this.unreported, forgotten: this.forgotten };
  }
}
