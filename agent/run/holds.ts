import type { Hold } from '../../shared/protocol/agent-control.js';

/**
 * The domUs a migration command holds through the control socket. The daemon neither starts nor
 * force-starts a held domU: during a migration the toolstack shows it as NAME--incoming or
 * NAME--migratedaway and DRBD changes roles under it, and the command, not the daemon, knows
 * how that ends.
 */
export class DomuHolds {
  private readonly held = new Map<string, Hold>();

  /** null when granted; else who holds it */
  take(h: Hold): Hold | null {
    const other = this.held.get(h.name);
    if (other) return other;
    this.held.set(h.name, h);
    return null;
  }

  /** releases only this holder's hold (a later holder of the same name keeps its own) */
  release(h: Hold): boolean {
    if (this.held.get(h.name) !== h) return false;
    this.held.delete(h.name);
    return true;
  }

  has(name: string): boolean {
    return this.held.has(name);
  }

  all(): Hold[] {
    return [...this.held.values()];
  }
}
