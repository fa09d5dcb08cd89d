import type { JobEvent, JobKind } from '../../shared/protocol/ctl-jobs.js';

/** How far a running job is, in moves. */
export interface JobProgress {
  readonly jobId: string;
  readonly kind: JobKind;
  readonly hosts: readonly string[];
  readonly moved: number;
  readonly failed: number;
  /** migrations of this job running now */
  readonly running: number;
  /** moves not finished: planned (or seen starting) less moved and failed; running ones included */
  readonly remaining: number;
}

/**
 * A job's moves counted from its own events, as `xenherdctl` counts them for its progress bar:
 * the plan's moves are the total (a roll plans groups, not moves: its total grows as moves
 * start), each `moved` / `failed` / `alarm` / `left` ends one, the others mark one running.
 */
export class JobTally {
  private total = 0;
  private moved = 0;
  private failed = 0;
  /** its moves running now, by domU */
  private readonly live = new Map<string, { readonly from: string; readonly to: string }>();

  event(e: JobEvent): void {
    if (e.type === 'plan') this.total = Math.max(this.total, e.plan.kind === 'roll' ? 0 : e.plan.sets.flat().length);
    if (e.type === 'end') this.live.clear();
    if (e.type !== 'move') return;
    if (e.phase === 'moved' || e.phase === 'failed' || e.phase === 'alarm' || e.phase === 'left') {
      this.live.delete(e.name);
      if (e.phase === 'moved') this.moved++;
      // one left to its agent as the controller stopped did not fail: it is not counted done either way
      else if (e.phase !== 'left') this.failed++;
    } else this.live.set(e.name, { from: e.from, to: e.to });
    this.total = Math.max(this.total, this.moved + this.failed + this.live.size);
  }

  /** The moves running now, by domU name: what a stopping job waits for. */
  runningMoves(): { name: string; from: string; to: string }[] {
    return [...this.live].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, m]) => ({ name, from: m.from, to: m.to }));
  }

  counts(): Pick<JobProgress, 'moved' | 'failed' | 'running' | 'remaining'> {
    return { moved: this.moved, failed: this.failed, running: this.live.size, remaining: Math.max(0, this.total - this.moved - this.failed) };
  }
}
