import type { Clock } from '../../shared/clock/clock.js';
import type { XhError } from '../../shared/errors.js';
import type { JobRequest } from '../../shared/protocol/ctl-jobs.js';
import type { JobEventAsRead } from '../../shared/protocol/ctl-jobs-read.js';

const seconds = (ms: number): string => (ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`);

/**
 * --timeout for a xenherdctl that attached to a job already running. The controller bounds a job
 * by the --timeout it was started with and ignores the one a follower sends, so a follower would
 * otherwise wait for the job's end however long that takes. Counted from when this command
 * started; a job this xenherdctl started itself is bounded by the controller (its `end` says so).
 */
export class FollowDeadline {
  private readonly from: number;
  private cancel: () => void = () => undefined;

  constructor(
    private readonly clock: Clock,
    private readonly req: JobRequest,
    private readonly ranOut: (e: XhError) => void,
  ) {
    this.from = clock.now();
  }

  event(e: JobEventAsRead): void {
    const ms = 'timeoutMs' in this.req ? this.req.timeoutMs : null;
    if (e.type !== 'job' || !e.attached || ms === null) return;
    const message =
      `--timeout ${seconds(ms)} ran out while following ${e.kind} ${e.jobId} (started by ${e.by}, already running when this xenherdctl attached, so it keeps the timeout it was started with): ` +
      `the ${e.kind} goes on in the controller; run the same command again to follow it (Ctrl-C there stops it)`;
    this.cancel();
    this.cancel = this.clock.schedule(Math.max(0, this.from + ms - this.clock.now()), () => this.ranOut({ code: 'XH_ERR_TIMEOUT', message }));
  }

  stop(): void {
    this.cancel();
  }
}
