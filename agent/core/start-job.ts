/** Who forced a start past a defer, and why (`autostart start --force`). */
export interface Forced {
  readonly reason: string;
  readonly operator: string | null;
}

/** One `xl create` the agent wants, from its queue to its outcome. */
export interface StartJob {
  readonly name: string;
  readonly configPath: string;
  readonly forced: Forced | null;
  /**
   * 'claiming': its DRBD resources taken Primary and the peers read again before anything runs
   * (core/claims.ts); 'releasing': the start did not happen and they are being given back;
   * 'backing-off': the peer took them at the same moment, and both stand back for a random while
   * before deciding again.
   * 'created': `xl create` succeeded but no `xl list` read since shows the domU yet; until one
   * does, deciding on the older list would see its disk Primary and no domU, and misreport it
   */
  readonly phase: 'queued' | 'rechecking' | 'claiming' | 'creating' | 'created' | 'releasing' | 'backing-off';
  /** the resources its claim made Primary: given back ('releasing') when the start does not happen */
  readonly claimed?: readonly string[];
  /** for 'releasing': what follows once DRBD took them back (decide again, or the wait after a clash), and failed tries so far */
  readonly releaseThen?: 'decide' | 'backoff';
  readonly releaseTries?: number;
  /** for 'releasing': its `drbdadm secondary` runs now, not waiting for a retry; a stop waits for it */
  readonly releaseRunning?: boolean;
  /**
   * for 'created': the list read (by count) that is sure to have started after the create; for
   * 'rechecking': the list read the re-check waits for (core/recheck.ts)
   */
  readonly afterList?: number;
  /** a control request waiting for this start's outcome (`autostart start --force`) */
  readonly replyTo: number | null;
}
