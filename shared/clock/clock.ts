/**
 * Where every core (agent and controller) gets time and timers from. Production passes the real
 * clock; tests and the fault harness pass the simulator's deterministic clock, so several agents,
 * a controller and the fleet simulator run in one process and time moves only when the test says.
 */
export interface Clock {
  /** whole milliseconds since the epoch (as Date.now() gives them) */
  now(): number;
  /** runs fn once, ms from now; the returned function cancels it (a no-op once it ran) */
  schedule(ms: number, fn: () => void): () => void;
  sleep(ms: number): Promise<void>;
  /**
   * Runs fn as soon as the I/O already waiting has been served, without the 1 ms floor of a
   * 0 ms timer (work cut into slices would otherwise idle a millisecond between slices). The real
   * clock runs one such fn per turn of the event loop, in the order asked (`one-each-turn.ts`), so
   * slices of several kinds of work never run back to back with no I/O served between them.
   * Clocks without it: schedule(0, fn).
   */
  soon?(fn: () => void): void;
}

/** A random number in [0, 1): injected beside the clock so jitter replays from a seed. */
export type Random = () => number;
