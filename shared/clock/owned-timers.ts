import type { Clock } from './clock.js';

/**
 * Timers one owner schedules on a clock and must all cancel when it closes: a closed core must
 * not wake up later on a shared (deterministic) clock and act on a fleet it no longer serves.
 */
export class OwnedTimers {
  private readonly pending = new Set<() => void>();

  constructor(private readonly clock: Clock) {}

  /** runs fn once, ms from now, unless cancelled first (by the returned function or cancelAll) */
  after(ms: number, fn: () => void): () => void {
    const cancel = this.clock.schedule(ms, () => {
      this.pending.delete(cancel);
      fn();
    });
    this.pending.add(cancel);
    return () => {
      cancel();
      this.pending.delete(cancel);
    };
  }

  cancelAll(): void {
    for (const cancel of this.pending) cancel();
    this.pending.clear();
  }

  get size(): number {
    return this.pending.size;
  }
}
