import type { Logger } from '../../shared/logger.js';
import type { HostState } from '../../shared/protocol/agent-link-state.js';
import type { HostRecord } from '../fleet/host-record.js';
import { replicationChanges, replicationView, type ReplicationChange, type ReplicationView } from '../fleet/replication-changes.js';

/**
 * The controller's journal lines on the DRBD links of running domUs (controller/fleet/
 * replication-changes.ts judges them): a warning when one is lost, an info line when it is back,
 * once per change whatever the number of reports. A host whose link is down keeps its last view
 * untouched: its going is the `host-unreachable` line, not one line per link of its domUs, and
 * what it reports once back is judged against what it reported before.
 */
export class ReplicationLog {
  /** per host: the report sections its view was worked out from, and the view */
  private readonly seen = new Map<string, { readonly from: readonly unknown[]; readonly view: ReplicationView }>();

  constructor(private readonly log: Logger) {}

  /** HOST's record as just stored. */
  note(r: HostRecord): void {
    if (!r.linkUp || r.state === null) return;
    const from = sectionsOf(r.state);
    const was = this.seen.get(r.host);
    // a heartbeat, or a delta of other sections: the same view
    if (was !== undefined && from.every((x, i) => x === was.from[i])) return;
    const { view, changes } = replicationChanges(was?.view, replicationView(r.host, r.state));
    this.seen.set(r.host, { from, view });
    for (const c of changes) this.say(c);
  }

  /** HOST left the fleet. */
  forget(host: string): void {
    this.seen.delete(host);
  }

  private say(c: ReplicationChange): void {
    const { resource, domus, host, peer } = c.link;
    const names = domus.join(', ');
    const other = peer ?? 'its peer';
    const fields = { resource, domus, host, peer, from: c.from, to: c.to };
    if (c.kind === 'lost') {
      this.log.warn({ event: 'replication-lost', ...fields }, `DRBD ${resource} of ${names} (running on ${host}) lost its connection to ${other}: ${c.from} → ${c.to}, as ${host} reports it; nothing replicates ${names}'s writes until it is back`);
    } else {
      this.log.info({ event: 'replication-back', ...fields }, `DRBD ${resource} of ${names} (running on ${host}) is connected to ${other} again (was ${c.from}): its writes replicate again (after a resync, if one runs)`);
    }
  }
}

/** The sections of a report a view is worked out from: one unchanged keeps the view. */
const sectionsOf = (s: HostState): readonly unknown[] => [s.drbd, s.domains, s.domus, s.guarded];
