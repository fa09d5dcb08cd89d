import type { Enrolment } from './enrolment.js';
import { fleetAfterRunningOn, hostsNamed, interestOf, runningOnFor } from './fleet-for-agent.js';
import type { FleetIndex } from './fleet-index.js';
import type { Freshness } from './host-record.js';

/**
 * HOST's `runningOn` as last worked out, for the names it was worked out for: as sent, and the
 * hosts it names (all a send reads of it again). Not the object itself: a host's forty names, each
 * with its array of hosts, kept for 2,000 agents were some 7 MB beside their text.
 */
interface HeldView {
  readonly names: readonly string[];
  readonly hosts: readonly string[];
  readonly json: string;
}

/**
 * Every agent's `fleet` view as the text sent, its `runningOn` (which hosts report a row of each
 * domU it guards or is home of, less those holding nothing of it) kept per host and worked out
 * again only when it may have changed: its names (interestOf: the host's guarded list or homes
 * replaced), or any of them noted by the index (FleetIndex.takeViewInputsChanged: a domU's hosts,
 * claims, guards, configs or their DRBD peers, all that holdsNothingOf reads). The heartbeat sends
 * every agent its view: at thousands of agents that was thousands of views made and serialized
 * every few seconds, nearly all as they were. `at`, the silent hosts and the moves under way are
 * read at each send, for they age with the clock; the text is JSON.stringify(fleetFor(...)), byte
 * for byte.
 */
export class FleetViewCache {
  private readonly held = new Map<string, HeldView>();

  constructor(private readonly index: FleetIndex) {}

  /** HOST's `fleet` message now, serialized. */
  text(host: string, fresh: Freshness, enrolment?: Enrolment): string {
    this.dropChanged();
    const names = interestOf(this.index, host);
    let view = this.held.get(host);
    if (view === undefined || view.names !== names) {
      const runningOn = runningOnFor(this.index, names);
      view = { names, hosts: hostsNamed(runningOn), json: JSON.stringify(runningOn) };
      // a host with no report has no interest to keep (interestOf answers a new empty list each time)
      if (names.length > 0) this.held.set(host, view);
      else this.held.delete(host);
    }
    const after = JSON.stringify(fleetAfterRunningOn(this.index, host, fresh, view.hosts, enrolment));
    return `{"type":"fleet","at":${JSON.stringify(fresh.now)},"runningOn":${view.json}${after === '{}' ? '' : `,${after.slice(1, -1)}`}}`;
  }

  /**
   * Drops the views of the hosts guarding or homing a name the index noted. A host that stopped
   * guarding or claiming it replaced its guarded list or homes, so its names changed already.
   */
  private dropChanged(): void {
    for (const name of this.index.takeViewInputsChanged()) {
      for (const h of this.index.guarded.get(name)?.keys() ?? []) this.held.delete(h);
      for (const h of this.index.homes.get(name)?.keys() ?? []) this.held.delete(h);
    }
  }
}
