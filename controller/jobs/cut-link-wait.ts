import type { Leftover } from '../../shared/protocol/ctl-jobs.js';
import type { PlanFacts } from '../plan/facts.js';
import { cutAtBothEnds } from '../plan/drbd-ready.js';
import { mayClearUp, waitsOnCutLink } from '../plan/leftover-text.js';

/**
 * A job's wait for the DRBD links both ends report cut (drbd-ready.ts cutAtBothEnds), by domU:
 * SETTLE_MS from when they first both did, then the domU is given up on. Unlike the job's other
 * waits it runs to its own time while other moves are under way (the job's own, or another job's
 * holding the slots its next moves wait for), so it is kept apart from the scheduler's end-of-job
 * look: the operator is told a domU stays when its time is up, not when a long migration ends.
 */
export class CutLinkWait {
  private readonly since = new Map<string, number>();

  constructor(private readonly settleMs: number) {}

  /**
   * How much longer L is worth waiting for as a link both ends report cut: SETTLE_MS from when
   * they first both did, then nothing; unbounded for any other leftover, or once the link is back
   * at one end (then a new cut starts its wait afresh).
   */
  left(facts: PlanFacts, l: Leftover, now: number): number {
    if (!waitsOnCutLink(l) || !cutAtBothEnds(facts, l)) {
      this.since.delete(l.name);
      return Number.POSITIVE_INFINITY;
    }
    const since = this.since.get(l.name) ?? now;
    this.since.set(l.name, since);
    return this.settleMs - (now - since);
  }

  /** Whether the wait NAME stands in (or ended in) is for a cut link. */
  counted(name: string): boolean {
    return this.since.has(name);
  }

  /** Of LEFT, the leftovers whose cut link's wait is over, and how long until the next one's is (Infinity: none waits on a cut link). */
  due(facts: PlanFacts, left: readonly Leftover[], now: number): { readonly over: Leftover[]; readonly nextMs: number } {
    const over: Leftover[] = [];
    let nextMs = Number.POSITIVE_INFINITY;
    for (const l of left) {
      if (!mayClearUp(l)) continue;
      const t = this.left(facts, l, now);
      if (t <= 0) over.push(l);
      else nextMs = Math.min(nextMs, t);
    }
    return { over, nextMs };
  }
}
