import type { Logger } from '../../shared/logger.js';
import type { HostState } from '../../shared/protocol/agent-link-state.js';
import type { HostRecord } from '../fleet/host-record.js';
import { replicationChanges, replicationView, sameRunningRows, type LinkStates, type ReplicationChange } from '../fleet/replication-changes.js';

/**
 * The controller's journal lines on the DRBD links of running domUs (controller/fleet/
 * replication-changes.ts judges them): a warning when one is lost, an info line when it is back,
 * once per change whatever the number of reports. A host whose link is down keeps its last view
 * untouched: its going is the `host-unreachable` line, not one line per link of its domUs, and
 * what it reports once back is judged against what it reported before.
 */
export class ReplicationLog {
  /** per host: the report sections its view was worked out from (its rows kept current in place: the rows of the next report are compared with the last), and its links' states */
  private readonly seen = new Map<string, { from: ViewSections; readonly states: LinkStates }>();

  constructor(private readonly log: Logger) {}

  /** HOST's record as just stored. */
  note(r: HostRecord): void {
    if (!r.linkUp || r.state === null) return;
    const s = r.state;
    const was = this.seen.get(r.host);
    // a heartbeat, a delta of other sections, or rows whose memory or state moved while the same
    // domUs run as before: the same view. At thousands of deltas a second, nearly every delta is
    // one of these, and working the view out again made a set, maps and arrays of each.
    if (was !== undefined && s.drbd === was.from.drbd && s.domus === was.from.domus && s.guarded === was.from.guarded && sameRunningRows(was.from.domains, s.domains)) {
      was.from.domains = s.domains;
      return;
    }
    const { states, changes } = replicationChanges(was?.states, replicationView(r.host, s));
    this.seen.set(r.host, { from: { drbd: s.drbd, domains: s.domains, domus: s.domus, guarded: s.guarded }, states });
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
type ViewSections = Pick<HostState, 'drbd' | 'domains' | 'domus' | 'guarded'>;
