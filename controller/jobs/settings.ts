import { CUT_LINK_SETTLE_MS, DEFAULT_LIMITS, TRANSIENT_WAIT_MS, type Limits } from '../plan/policy.js';

export type { Limits };

/** The executor's timing and limits; the controller's settings may override each. */
export interface JobSettings {
  readonly limits: Limits;
  /** live-migration attempts per domU before it is a leftover (or cold-moved) */
  readonly maxAttempts: number;
  /** wait before attempt n+1: n times this */
  readonly retryDelayMs: number;
  /** how long a maintenance claim lives without renewal; renewed every third of it */
  readonly leaseMs: number;
  /** the link speed assumed until migrations were measured */
  readonly initialLinkMiBps: number;
  /** a migration's deadline is at least this, else 3 × its expected time + 60 s */
  readonly minCompletionMs: number;
  /** silence (no progress line) tolerated is at least this, else half its expected time */
  readonly minProgressTimeoutMs: number;
  /** how long an ambiguous ending is asked about (both agents' inspect) before it becomes an alarm */
  readonly settleTimeoutMs: number;
  readonly settleRetryMs: number;
  /** after the last move ended, how long the view gets to catch up before leftovers are final */
  readonly quietMs: number;
  /** how long a job waits for a source's agent to come back, or a foreign migration to end */
  readonly transientWaitMs: number;
  /** how long a job waits for a DRBD link both ends report cut before it gives up on the domU */
  readonly cutLinkSettleMs: number;
  /** how long a finished move waits for the agents' reports to show it */
  readonly arrivalWaitMs: number;
  /** how long a roll waits for a group's hosts to come back with a new boot id */
  readonly rebootWaitMs: number;
  /** fleet changes within this are one re-plan */
  readonly coalesceMs: number;
  /** memory kept free on every target */
  readonly reserveMiB: number;
  /** a cold start refused by the DRBD rules is asked again this often, this many times */
  readonly coldStartRetryMs: number;
  readonly coldStartAttempts: number;
}

export const DEFAULT_JOB_SETTINGS: JobSettings = {
  limits: DEFAULT_LIMITS,
  maxAttempts: 3,
  retryDelayMs: 5_000,
  leaseMs: 60_000,
  initialLinkMiBps: 100,
  minCompletionMs: 120_000,
  minProgressTimeoutMs: 60_000,
  settleTimeoutMs: 10 * 60_000,
  settleRetryMs: 2_000,
  quietMs: 1_000,
  transientWaitMs: TRANSIENT_WAIT_MS,
  cutLinkSettleMs: CUT_LINK_SETTLE_MS,
  arrivalWaitMs: 30_000,
  rebootWaitMs: 30 * 60_000,
  coalesceMs: 20,
  reserveMiB: 1024,
  coldStartRetryMs: 10_000,
  coldStartAttempts: 3,
};
