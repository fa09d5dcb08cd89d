import type { Arrival, HostRecord } from './host-record.js';
import { isLive } from './live-row.js';

// libxl ends a migration by renaming the target's `NAME--incoming` to NAME, and at that moment the
// sender's copy is gone (or left as `NAME--migratedaway`, which the stranded-half alerts cover).
// So a target seen doing that is evidence against any copy of NAME a silent host last reported
// before then: superseded.ts reads it. A plain row with no receiving half seen before it (a start
// by hand, a half the controller never heard of) is no such evidence, and notes nothing.

/**
 * R with arrivedAt following its new rows: a live plain row of NAME whose receiving half R's
 * previous reports held under the same domid (incomingSince, before noteIncoming drops the half)
 * is an arrival at NOW; an arrival is kept while that plain row stands under its domid, and
 * dropped with it (gone, destroyed, restarted under another domid: then it is not the domain that
 * arrived). It is bounded by R's own rows, not by time: the evidence stays true for as long as a
 * host silent since before it stays silent, and a time limit would bring back the false "runs on
 * two hosts" for a source whose agent stays down longer. R itself when nothing changed.
 */
export function noteArrivals(r: HostRecord, now: number): HostRecord {
  const was = r.arrivedAt;
  const halves = r.incomingSince;
  // the usual record: no migration into this host since its domUs last changed
  if (was === undefined && halves === undefined) return r;
  const next: Record<string, Arrival> = {};
  let kept = 0;
  let added = false;
  for (const d of r.state?.domains ?? []) {
    if (d.migration !== null || !isLive(d)) continue;
    const before = was?.[d.baseName];
    if (before !== undefined && before.domid === d.domid) {
      next[d.baseName] = before;
      kept++;
      continue;
    }
    const half = halves?.[`${d.baseName}--incoming`];
    if (half === undefined || (half.domid !== null && half.domid !== d.domid)) continue;
    next[d.baseName] = { domid: d.domid, at: now };
    added = true;
  }
  if (!added && kept === Object.keys(was ?? {}).length) return r;
  if (!added && kept === 0) {
    const { arrivedAt: _gone, ...rest } = r;
    return rest;
  }
  return { ...r, arrivedAt: next };
}
