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

/** What a host record keeps of it: by domU name, and by DRBD resource name. */
export interface CopiesSince {
  readonly running: Readonly<Record<string, SeenSince>>;
  readonly primary: Readonly<Record<string, SeenSince>>;
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
  const already = was === undefined;
  let changed = already;
  const running: Record<string, SeenSince> = {};
  let kept = 0;
  for (const d of r.state.domains) {
    if (d.migration !== null || !isLive(d) || running[d.baseName] !== undefined) continue;
    const before = was?.running[d.baseName];
    if (before !== undefined && before.domid === d.domid) {
      running[d.baseName] = before;
      kept++;
    } else {
      running[d.baseName] = seen(d.domid, now, already);
      changed = true;
    }
  }
  changed ||= kept !== Object.keys(was?.running ?? {}).length;
  const primary: Record<string, SeenSince> = {};
  let keptPrimary = 0;
  for (const res of r.state.drbd.resources) {
    if (res.role !== 'Primary' || primary[res.name] !== undefined) continue;
    const before = was?.primary[res.name];
    if (before !== undefined) {
      primary[res.name] = before;
      keptPrimary++;
    } else {
      primary[res.name] = seen(null, now, already);
      changed = true;
    }
  }
  changed ||= keptPrimary !== Object.keys(was?.primary ?? {}).length;
  return changed ? { ...r, copiesSince: { running, primary } } : r;
}

const seen = (domid: number | null, since: number, already: boolean): SeenSince => (already ? { domid, since, already: true } : { domid, since });
