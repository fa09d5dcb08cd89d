import type { HostRecord } from './host-record.js';
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
 * What a host record keeps of it: by domU name, and by DRBD resource name. Maps, not objects: a
 * domU may be called "constructor" and a resource "__proto__", which an object's keys would read
 * as what every object inherits.
 */
export interface CopiesSince {
  readonly running: ReadonlyMap<string, SeenSince>;
  readonly primary: ReadonlyMap<string, SeenSince>;
}

/**
 * R with copiesSince following its report at NOW: a live plain row or a Primary resource not seen
 * before (or a row under a new domid) noted from NOW, one no longer reported dropped. The first
 * report of a host marks all it holds as `already`. R itself when nothing changed: this runs for
 * every report.
 */
export function noteCopies(r: HostRecord, now: number): HostRecord {
  if (r.state === null) return r;
  const was = r.copiesSince;
  // nearly every report (a row's memory, a heartbeat's state) changes none of it: told without building anything
  if (was !== undefined && unchanged(r.state, was)) return r;
  const already = was === undefined;
  const running = new Map<string, SeenSince>();
  for (const d of r.state.domains) {
    if (d.migration !== null || !isLive(d) || running.has(d.baseName)) continue;
    const before = was?.running.get(d.baseName);
    running.set(d.baseName, before !== undefined && before.domid === d.domid ? before : seen(d.domid, now, already));
  }
  const primary = new Map<string, SeenSince>();
  for (const res of r.state.drbd.resources) {
    if (res.role !== 'Primary' || primary.has(res.name)) continue;
    primary.set(res.name, was?.primary.get(res.name) ?? seen(null, now, already));
  }
  return { ...r, copiesSince: { running, primary } };
}

const seen = (domid: number | null, since: number, already: boolean): SeenSince => (already ? { domid, since, already: true } : { domid, since });

/**
 * Whether STATE shows the same live plain rows (name and domid) and Primary resources WAS keeps.
 * A domid is one domain's, so each row matching an entry of its own and as many rows as entries
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
  for (const res of state.drbd.resources) {
    if (res.role !== 'Primary') continue;
    if (!was.primary.has(res.name)) return false;
    primaries++;
  }
  return rows === was.running.size && primaries === was.primary.size;
}
