import type { PlanFacts } from './facts.js';

/** Free memory per host as a plan takes and (with creditDepartures) gives it back. */
export class Capacity {
  private readonly delta = new Map<string, number>();

  constructor(
    private readonly facts: PlanFacts,
    readonly reserveMiB: number,
    private readonly creditDepartures: boolean,
  ) {}

  /** free memory of HOST now in the plan; null when unknown */
  free(host: string): number | null {
    const f = this.facts.host(host)?.freeMiB ?? null;
    return f === null ? null : f + (this.delta.get(host) ?? 0);
  }

  fits(host: string, memMiB: number): boolean {
    const f = this.free(host);
    return f !== null && f - this.reserveMiB >= memMiB;
  }

  /** NAME comes to TO from nowhere (a start): nothing is given back anywhere */
  arrive(to: string, memMiB: number): void {
    this.delta.set(to, (this.delta.get(to) ?? 0) - memMiB);
  }

  move(from: string, to: string, memMiB: number): void {
    this.delta.set(to, (this.delta.get(to) ?? 0) - memMiB);
    if (this.creditDepartures) this.delta.set(from, (this.delta.get(from) ?? 0) + memMiB);
  }
}
