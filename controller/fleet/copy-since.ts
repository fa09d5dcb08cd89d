import type { LinkDrbdResource } from '../../shared/protocol/agent-link-state.js';
import { isReachable, type HostRecord } from './host-record.js';
import { isLive } from './live-row.js';

// Neither `xl list` nor DRBD's state words say since when a domain runs or a resource is Primary,
// yet after a split brain that is much of what tells the copy to keep from the one to discard. So
// the controller notes when it first saw each, on its own clock, from the reports as they come.

/** When the controller first saw a domU's plain row (under DOMID) or a resource Primary on a host. */
export interface SeenSince {
  /** the row's domid (a domain restarted under another one started anew); null for a resource */
  readonly domid: number | null;
  readonly since: number;
  /**
   * true: it was so already when this controller first had the host's report (after a controller
   * restart, for one), so `since` is a lower bound; absent: the controller saw it begin
   */
  readonly already?: true;
}

/**
 * A resource's Primary on a host that ended while the resource was cut there: the writes that side
 * took while cut lie between SINCE and UNTIL (when the controller first saw it no longer Primary).
 * Primary twice while cut: from the first beginning to the last end.
 */
export interface PrimarySpan {
  readonly since: SeenSince;
  readonly until: number;
  /**
   * the report that showed it ended was the first after the controller had not heard that Dom0
   * since UNHEARDFROM (its link down or silent): it ended at some time between, UNTIL only a bound.
   * Absent: heard throughout, so UNTIL is within a report's delay of the end. Neither DRBD nor the
   * agent says when a role changed.
   */
  readonly unheardFrom?: number;
}

/**
 * What a host record keeps of it: by domU name, and by DRBD resource name. Maps, not objects: a
 * domU may be called "constructor" and a resource "__proto__", which an object's keys would read
 * as what every object inherits.
 */
export interface CopiesSince {
  readonly running: ReadonlyMap<string, SeenSince>;
  readonly primary: ReadonlyMap<string, SeenSince>;
  /**
   * by resource: a Primary that ended while the resource was not Connected there, kept until it is
   * Connected again. The split brain runbook's first step demotes the victim, and a side may have
   * been demoted before the link came back: without it nothing would say that side took writes.
   */
  readonly wasPrimary: ReadonlyMap<string, PrimarySpan>;
  /**
   * the boot id of the Dom0 these were noted under: a Dom0 rebooted runs nothing of the boot
   * before, whatever its first report after shows Primary or running (domids start again at 1)
   */
  readonly bootId: string | null;
}

/**
 * R with copiesSince following its report at NOW: a live plain row or a Primary resource not seen
 * before (or a row under a new domid) noted from NOW, one no longer reported dropped. While the
 * DRBD tools do not answer, the Primary resources noted are kept as they were: the same boot
 * reporting one Primary again keeps its time. A Primary left while the resource is not Connected
 * becomes a span until NOW (UNHEARDFROM: the controller had not heard the Dom0 since then, so the
 * span ended at some time between), dropped once it is Connected again or no longer reported. The
 * first report of a host, and the first of a new boot, mark all they hold as `already`. R itself
 * when nothing changed: this runs for every report.
 */
export function noteCopies(r: HostRecord, now: number, unheardFrom: number | null = null): HostRecord {
  if (r.state === null) return r;
  const sameBoot = r.copiesSince !== undefined && r.copiesSince.bootId === r.bootId;
  const was = sameBoot ? r.copiesSince : undefined;
  // nearly every report (a row's memory, a heartbeat's state) changes none of it: told without building anything
  if (was !== undefined && unchanged(r.state, was)) return r;
  const already = was === undefined;
  const running = new Map<string, SeenSince>();
  for (const d of r.state.domains) {
    if (d.migration !== null || !isLive(d) || running.has(d.baseName)) continue;
    const before = was?.running.get(d.baseName);
    running.set(d.baseName, before !== undefined && before.domid === d.domid ? before : seen(d.domid, now, already));
  }
  // the DRBD tools not answering say nothing of the resources: a Primary is not ended by it
  const blind = r.state.drbd.availability !== 'ok';
  const primary = new Map<string, SeenSince>(blind ? was?.primary : undefined);
  // every resource first seen Primary in this report was seen so at the same moment: one note for all
  let fresh: SeenSince | undefined;
  for (const res of blind ? [] : r.state.drbd.resources) {
    if (res.role !== 'Primary' || primary.has(res.name)) continue;
    primary.set(res.name, was?.primary.get(res.name) ?? (fresh ??= seen(null, now, already)));
  }
  // a span belongs to the resource's writes, not to a boot: kept across one until Connected again
  return { ...r, copiesSince: { running, primary, wasPrimary: spansOf(r.state, r.copiesSince, now, unheardFrom), bootId: r.bootId } };
}

/** A resource is Connected when it has peers and is Connected to each: not cut from any. */
const connected = (res: LinkDrbdResource): boolean => res.peers.length > 0 && res.peers.every((p) => p.connection === 'Connected');

/**
 * The spans KEPT holds, and one for each resource STATE shows left Primary (not Connected) at NOW,
 * a Primary of the boot before included: it ended by the reboot, and may have taken writes while cut.
 */
function spansOf(state: NonNullable<HostRecord['state']>, kept: CopiesSince | undefined, now: number, unheardFrom: number | null): Map<string, PrimarySpan> {
  // the DRBD tools not answering tell nothing of the resources: what was kept stays
  if (state.drbd.availability !== 'ok') return new Map(kept?.wasPrimary);
  const spans = new Map<string, PrimarySpan>();
  for (const res of state.drbd.resources) {
    if (spans.has(res.name) || connected(res)) continue;
    const before = kept?.wasPrimary.get(res.name);
    const ended = res.role === 'Primary' ? undefined : kept?.primary.get(res.name);
    if (ended !== undefined) {
      const since = before !== undefined && before.since.since <= ended.since ? before.since : ended;
      spans.set(res.name, unheardFrom === null ? { since, until: now } : { since, until: now, unheardFrom });
    } else if (before !== undefined) spans.set(res.name, before);
  }
  return spans;
}

/**
 * When the controller last heard BEFORE's Dom0, if it has not since (its link down, or silent past
 * STALEAFTERMS) at NOW: a role the next report shows changed changed at some time between. Null:
 * heard throughout, or never.
 */
export const unheardSince = (before: HostRecord | undefined, now: number, staleAfterMs: number): number | null =>
  before !== undefined && before.lastSeen !== null && !isReachable(before, now, staleAfterMs) ? before.lastSeen : null;

const seen = (domid: number | null, since: number, already: boolean): SeenSince => (already ? { domid, since, already: true } : { domid, since });

/**
 * Whether STATE shows the same live plain rows (name and domid) and Primary resources WAS keeps,
 * and every span's resource still reported and not Connected. A domid is one domain's, so each row matching an entry of its own and as many rows as entries
 * is the same set; a name twice falls to noteCopies' full pass, which tells.
 */
function unchanged(state: NonNullable<HostRecord['state']>, was: CopiesSince): boolean {
  let rows = 0;
  for (const d of state.domains) {
    if (d.migration !== null || !isLive(d)) continue;
    if (was.running.get(d.baseName)?.domid !== d.domid) return false;
    rows++;
  }
  let primaries = 0;
  let spans = 0;
  // an index loop, not for-of: the DRBD section is held frozen (held-drbd.ts), and V8 walks a
  // frozen array by its generic iterator, a result object per resource: most of what a delta made
  const resources = state.drbd.resources;
  for (let i = 0; i < resources.length; i++) {
    const res = resources[i];
    if (res === undefined) continue;
    if (was.wasPrimary.has(res.name)) {
      // Connected again drops it; a resource reported twice counts twice, and the full pass tells
      if (connected(res)) return false;
      spans++;
    }
    if (res.role !== 'Primary') continue;
    if (!was.primary.has(res.name)) return false;
    primaries++;
  }
  // blind, the DRBD tools say nothing: the Primaries and spans noted stand
  const blind = state.drbd.availability !== 'ok';
  return rows === was.running.size && (blind || (primaries === was.primary.size && spans === was.wasPrimary.size));
}
