import type { JobSettings } from './settings.js';

/** How long one migration may take, scaled by its memory and the link speed measured so far. */
export interface MoveBudget {
  readonly expectedMs: number;
  /** no progress line for this long: the migration is stuck (its outcome is then settled) */
  readonly progressTimeoutMs: number;
  /** no result within this: the outcome is settled by asking both hosts */
  readonly completionMs: number;
}

/**
 * The migration link speed as measured on completed live migrations (an exponential average;
 * tiny domUs say more about fixed costs than about bandwidth and are left out).
 */
export class LinkSpeed {
  private mibps: number;
  private samples = 0;

  constructor(private readonly s: JobSettings) {
    this.mibps = s.initialLinkMiBps;
  }

  get current(): number {
    return this.mibps;
  }

  get measured(): number {
    return this.samples;
  }

  observe(memMiB: number, ms: number): void {
    if (memMiB < 64 || ms < 500) return;
    const v = memMiB / (ms / 1000);
    this.mibps = this.samples === 0 ? v : 0.7 * this.mibps + 0.3 * v;
    this.samples++;
  }

  budget(memMiB: number): MoveBudget {
    const expectedMs = Math.round((memMiB / Math.max(1, this.mibps)) * 1000);
    return {
      expectedMs,
      progressTimeoutMs: Math.max(this.s.minProgressTimeoutMs, Math.round(expectedMs / 2)),
      completionMs: Math.max(this.s.minCompletionMs, 3 * expectedMs + 60_000),
    };
  }
}
