import type { AutostartDecision } from '../decide/autostart.js';

/** What the agent keeps of one guarded domU between decisions. Times are ms from the injected clock. */
export interface DomuRecord {
  readonly decision: AutostartDecision | null;
  /** when the decision's kind or reason last changed */
  readonly since: number;
  /** starts in a row that did not keep the domU running */
  readonly attempts: number;
  readonly lastStart: { readonly at: number; readonly ok: boolean; readonly message: string; readonly forced: boolean } | null;
  /** after a start that did not keep it running: when the next one may run */
  readonly retryAt: number | null;
  /**
   * while deferred: when its fallback re-check (the `defer:NAME` timer) runs, for `autostart
   * status` to say when the agent tries next; null otherwise. Absent in records made before the
   * first decision on it.
   */
  readonly recheckAt?: number | null;
}
