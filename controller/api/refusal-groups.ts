/** The key of the group that counts refusals once MAXGROUPS groups are open (see RefusalGroups). */
export const OVERFLOW_KEY = '\u0000overflow';

/** Refusals of one kind from one address, counted after the first was logged. */
export interface EndedGroup<T> {
  readonly key: string;
  /** what the first refusal of the group was noted with */
  readonly detail: T;
  /** refusals after the first, in the window: the ones not logged one by one */
  readonly more: number;
  /** when the window began (clock ms) */
  readonly since: number;
}

interface Open<T> {
  readonly detail: T;
  readonly since: number;
  more: number;
}

/**
 * Groups identical refusals (one address, one reason) per window: the first is logged at once,
 * the rest only counted and reported when the window ends. A client opening thousands of
 * connections that never finish TLS would otherwise write thousands of warn lines, burying
 * the rest of the log. Pure: the caller passes the time, so tests need no timers.
 */
export class RefusalGroups<T> {
  private readonly open = new Map<string, Open<T>>();
  /** windows noticed as ended by note() before ended() collected them */
  private readonly finished: EndedGroup<T>[] = [];

  /**
   * At most MAXGROUPS windows are open at once, so refusals from very many addresses cannot grow
   * the table without end: past that, a new key's refusals are all counted in one group under
   * OVERFLOW_KEY, reported with OVERFLOW (none of them logged one by one).
   */
  constructor(
    private readonly windowMs: number,
    private readonly overflow: T,
    private readonly maxGroups = 10_000,
  ) {}

  /** Counts a refusal; true when it is the first of KEY in its window, i.e. the caller logs it now. */
  note(key: string, now: number, detail: T): boolean {
    const g = this.open.get(key);
    if (g !== undefined && now < g.since + this.windowMs) {
      g.more++;
      return false;
    }
    if (g !== undefined) this.finish(key, g);
    else if (this.open.size >= this.maxGroups) {
      this.ended(now);
      if (this.open.size >= this.maxGroups) {
        const o = this.open.get(OVERFLOW_KEY);
        if (o !== undefined) o.more++;
        // the overflow group's first refusal is not logged either: its count includes it
        else this.open.set(OVERFLOW_KEY, { detail: this.overflow, since: now, more: 1 });
        return false;
      }
    }
    this.open.set(key, { detail, since: now, more: 0 });
    return true;
  }

  /** The groups whose window has ended by NOW and that counted more than their first, forgotten once returned. */
  ended(now: number): EndedGroup<T>[] {
    for (const [key, g] of this.open) if (now >= g.since + this.windowMs) this.finish(key, g);
    return this.finished.splice(0);
  }

  /** When the earliest open window ends; null when none is open. */
  nextEnd(): number | null {
    let first: number | null = null;
    for (const g of this.open.values()) if (first === null || g.since < first) first = g.since;
    return first === null ? null : first + this.windowMs;
  }

  private finish(key: string, g: Open<T>): void {
    this.open.delete(key);
    if (g.more > 0) this.finished.push({ key, detail: g.detail, more: g.more, since: g.since });
  }
}
