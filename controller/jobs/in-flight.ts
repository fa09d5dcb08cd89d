import type { Limits } from './settings.js';

/**
 * The migrations running in this controller, counted per source, per target and in total, across
 * all jobs: two drains at once share the fleet's limit. Whoever frees a slot wakes the waiters.
 */
export class InFlightBook {
  private readonly bySource = new Map<string, number>();
  private readonly byTarget = new Map<string, number>();
  private total = 0;
  private readonly listeners = new Set<() => void>();

  canStart(from: string, to: string, limits: Limits): boolean {
    return this.total < limits.global && (this.bySource.get(from) ?? 0) < limits.perSource && (this.byTarget.get(to) ?? 0) < limits.perTarget;
  }

  get running(): number {
    return this.total;
  }

  /** Takes the slots; the returned function frees them (once). */
  start(from: string, to: string): () => void {
    this.total++;
    this.bySource.set(from, (this.bySource.get(from) ?? 0) + 1);
    this.byTarget.set(to, (this.byTarget.get(to) ?? 0) + 1);
    let freed = false;
    return () => {
      if (freed) return;
      freed = true;
      this.total--;
      this.bySource.set(from, (this.bySource.get(from) ?? 1) - 1);
      this.byTarget.set(to, (this.byTarget.get(to) ?? 1) - 1);
      for (const l of [...this.listeners]) l();
    };
  }

  onFreed(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
}
