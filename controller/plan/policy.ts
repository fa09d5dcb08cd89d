/** Concurrency limits for migrations: per source host, per target host, and in the whole fleet. */
export interface Limits {
  readonly perSource: number;
  readonly perTarget: number;
  readonly global: number;
}

/** at most 1 outbound and 1 inbound migration per host and 2 in the fleet: more parallel migrations congest the links and slow each other down */
export const DEFAULT_LIMITS: Limits = { perSource: 1, perTarget: 1, global: 2 };

/**
 * How long a job waits for a leftover that clears up by itself (a resync, a link reconnecting, an
 * agent coming back) before it gives up on it. Here, not only in the job settings, because the
 * plan's words promise the operator this wait.
 */
export const TRANSIENT_WAIT_MS = 5 * 60_000;

/**
 * How long a job under way waits for a DRBD link both ends report cut (the network between the
 * two Dom0s gone, or one end StandAlone) before it gives up on the domU: a blink is over within
 * it, and a cut that outlasts it comes back only with the network, which may be hours; the new
 * drain that a cut link refuses up front is not kept waiting minutes for it once under way either.
 */
export const CUT_LINK_SETTLE_MS = 30_000;

/** The planner's knobs; the controller's settings and the operator's flags fill them. */
export interface PlanPolicy {
  /** memory kept free on every target, on top of what the moved domUs take */
  readonly reserveMiB: number;
  /**
   * Count the memory a planned departure frees on its host for later moves into that host. True
   * for a plan shown whole (its sets run in order, so the departure is done first); false for the
   * executor's plan of what may start now (memory is freed when the agent reports it, not before).
   */
  readonly creditDepartures: boolean;
  readonly rebalance: RebalancePolicy;
  /** how many moves run at once: a plan's sets are what the executor may start together */
  readonly limits: Limits;
  /**
   * A drain's --cold-fallback: a target on an older Xen release is placed on (after every target
   * the domU can go to live), as a cold move there shuts it down and starts it from its config,
   * sending no migration stream the older tools refuse. Absent: false.
   */
  readonly coldFallback?: boolean;
  /**
   * Hosts other drains of this controller empty (queued or running): never a target, as the hosts
   * a plan empties itself are not. Their flag reaches the view only once their agent reports it,
   * and two drains asked together each planned moves to the other's host meanwhile. Absent: none.
   */
  readonly emptiedElsewhere?: readonly string[];
}

export interface RebalancePolicy {
  /** weights of the score: std-dev of memory use, std-dev of vCPU load, and per domU away from a healthy home */
  readonly weights: { readonly memory: number; readonly vcpu: number; readonly away: number };
  /** a move must lower the score by at least this much */
  readonly minGain: number;
  readonly maxMoves: number;
  /** a domU that moved less than this long ago stays where it is */
  readonly cooldownMs: number;
  /** for a domU without DRBD disks (any host would do): how many of the least loaded hosts are tried */
  readonly candidateHosts: number;
}

export const DEFAULT_REBALANCE: RebalancePolicy = {
  // memory decides where a domU fits; vCPU counts are a rougher load signal (hosts' CPU counts are
  // not reported), hence half the weight; a domU away from a healthy home outweighs any imbalance
  weights: { memory: 1, vcpu: 0.5, away: 1 },
  minGain: 0.01,
  maxMoves: 20,
  cooldownMs: 30 * 60_000,
  candidateHosts: 8,
};

export const DEFAULT_POLICY: PlanPolicy = { reserveMiB: 1024, creditDepartures: true, rebalance: DEFAULT_REBALANCE, limits: DEFAULT_LIMITS };
