import type { FleetIndex } from '../fleet/fleet-index.js';
import { fleetFor } from '../fleet/fleet-for-agent.js';
import type { Enrolment } from '../fleet/enrolment.js';
import type { Freshness } from '../fleet/host-record.js';
import type { AgentSession } from './agent-session.js';

export interface FleetPushDeps {
  readonly index: FleetIndex;
  readonly sessions: ReadonlyMap<string, AgentSession>;
  /** a timer on the core's clock, cancelled when the core closes */
  readonly after: (ms: number, fn: () => void) => void;
  readonly coalesceMs: number;
  readonly fresh: () => Freshness;
  readonly closed: () => boolean;
  /** the enrolled hosts (an agent is told one silent since the controller started); undefined: not known */
  readonly enrolment: () => Enrolment | undefined;
}

/**
 * Sending agents their `fleet` view: the hosts whose view changed (their guarded domUs or homes
 * run elsewhere now, or their own list changed) are collected and sent to once per coalescing
 * window, not once per report.
 */
export class FleetPush {
  private readonly dirty = new Set<string>();
  private armed = false;

  constructor(private readonly d: FleetPushDeps) {}

  /** HOST's own guarded list or homes changed: it should hear its view again. */
  hostChanged(host: string): void {
    this.dirty.add(host);
  }

  /** The domUs NAMES run on other hosts now: the hosts guarding or homing them should hear it. */
  runningChanged(names: readonly string[]): void {
    for (const n of names) {
      for (const h of this.d.index.guarded.get(n)?.keys() ?? []) this.dirty.add(h);
      for (const h of this.d.index.homes.get(n)?.keys() ?? []) this.dirty.add(h);
    }
    if (this.dirty.size === 0 || this.armed || this.d.closed()) return;
    this.armed = true;
    this.d.after(this.d.coalesceMs, () => {
      this.armed = false;
      for (const h of [...this.dirty]) this.send(h);
      this.dirty.clear();
    });
  }

  send(host: string): void {
    const s = this.d.sessions.get(host);
    if (!s?.live) return;
    s.send(fleetFor(this.d.index, host, this.d.fresh(), this.d.enrolment()));
  }
}
