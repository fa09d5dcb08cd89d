/** The agent's waits, as pure functions of a count (and a random number in [0, 1) for jitter). */

/** Wait before the next start of a domU after `attempts` starts in a row that did not keep it running. */
export function retryDelayMs(attempts: number, initialMs: number, maxMs: number): number {
  if (attempts <= 0) return 0;
  return Math.min(maxMs, initialMs * 2 ** Math.min(attempts - 1, 30));
}

/** Wait before respawning a watcher that exited `failures` times in a row: 250 ms, doubling. */
export function respawnDelayMs(failures: number, maxMs: number): number {
  return Math.min(maxMs, 250 * 2 ** Math.min(Math.max(failures - 1, 0), 30));
}

/** base ± jitter, uniformly (as xen-drbd-auto did: 5 min ± 60 s); never below a tenth of base. */
export function jitteredMs(baseMs: number, jitterMs: number, random: number): number {
  return Math.max(baseMs / 10, baseMs + (random * 2 - 1) * jitterMs);
}
