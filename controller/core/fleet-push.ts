import type { Clock } from '../../shared/clock/clock.js';
import { inSlices, STOP_SLICES } from '../../shared/clock/in-slices.js';
import type { FleetIndex } from '../fleet/fleet-index.js';
import { FleetViewCache } from '../fleet/fleet-view-cache.js';
import type { Enrolment } from '../fleet/enrolment.js';
import type { Freshness } from '../fleet/host-record.js';
import type { AgentSession } from './agent-session.js';

/**
 * Views sent per turn of the event loop once a coalescing window ends, and for how long at most:
 * while a restarted controller takes back 2,000 agents, hundreds of hosts are dirty at once, and
 * a `where` arriving meanwhile would wait behind every fleetFor and write of them.
 */
export const PUSH_SLICE = { per: 64, ms: 1 };

export interface FleetPushDeps {
  readonly index: FleetIndex;
  /** the live links by host (only whether one is live, and its sendText, are used) */
  readonly sessions: ReadonlyMap<string, Pick<AgentSession, 'live' | 'sendText'>>;
  /** the core's clock: the sends of one window go out a slice at a time on it */
  readonly clock: Clock;
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
 * window, not once per report, a slice of PUSH_SLICE at a time.
 */
export class FleetPush {
  private readonly dirty = new Set<string>();
  /** a window is open or its sends are under way: what turns dirty meanwhile waits for the next window */
  private armed = false;
  /** every host's view as sent, made again only where it may have changed: the heartbeat sends every agent its own */
  private readonly views: FleetViewCache;

  constructor(private readonly d: FleetPushDeps) {
    this.views = new FleetViewCache(d.index);
  }

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
    this.arm();
  }

  send(host: string): void {
    const s = this.d.sessions.get(host);
    if (!s?.live) return;
    s.sendText(this.views.text(host, this.d.fresh(), this.d.enrolment()));
  }

  private arm(): void {
    if (this.dirty.size === 0 || this.armed || this.d.closed()) return;
    this.armed = true;
    this.d.after(this.d.coalesceMs, () => {
      const hosts = [...this.dirty];
      this.dirty.clear();
      // each view is computed when its slice runs, so a host dirtied again meanwhile and sent
      // later in this window gets the fleet as it is by then, and once more in the next window
      inSlices(
        this.d.clock,
        hosts,
        PUSH_SLICE,
        (h) => {
          if (this.d.closed()) return STOP_SLICES;
          this.send(h);
        },
        () => {
          this.armed = false;
          this.arm();
        },
      );
    });
  }
}
