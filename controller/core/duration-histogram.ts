/** Upper bounds (seconds) of a migration's duration buckets: a small domU moves in seconds, a large one over a slow link in many minutes. */
export const MIGRATION_BUCKETS_S: readonly number[] = [5, 10, 30, 60, 120, 300, 600, 1800, 3600];

/** A histogram's state as Prometheus reports it: cumulative counts per upper bound, then +Inf (= count). */
export interface HistogramSnapshot {
  readonly buckets: ReadonlyArray<{ readonly le: number; readonly count: number }>;
  readonly sumSeconds: number;
  readonly count: number;
}

/** Durations counted into fixed buckets; nothing kept per observation, so it stays small forever. */
export class DurationHistogram {
  private readonly counts: number[];
  private sum = 0;
  private total = 0;

  constructor(private readonly boundsSeconds: readonly number[] = MIGRATION_BUCKETS_S) {
    this.counts = boundsSeconds.map(() => 0);
  }

  observe(ms: number): void {
    const s = Math.max(0, ms) / 1000;
    this.total++;
    this.sum += s;
    const i = this.boundsSeconds.findIndex((b) => s <= b);
    if (i >= 0) this.counts[i] = (this.counts[i] ?? 0) + 1;
  }

  snapshot(): HistogramSnapshot {
    let running = 0;
    const buckets = this.boundsSeconds.map((le, i) => ({ le, count: (running += this.counts[i] ?? 0) }));
    return { buckets: [...buckets, { le: Number.POSITIVE_INFINITY, count: this.total }], sumSeconds: this.sum, count: this.total };
  }
}
