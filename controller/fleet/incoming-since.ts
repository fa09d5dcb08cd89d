import type { HalfSince, HostRecord, StandingHalf } from './host-record.js';

/**
 * R with incomingSince following its reported receiving halves, as noteHalves keeps the sender's:
 * one seen for the first time (or under another domid) from NOW, one no longer reported dropped.
 * R itself when nothing changed: this runs for every report, and almost none holds such a row.
 */
export function noteIncoming(r: HostRecord, now: number): HostRecord {
  const rows = r.state?.domains ?? [];
  const was = r.incomingSince;
  if (was === undefined && !rows.some((d) => d.migration === 'incoming')) return r;
  const next: Record<string, HalfSince> = {};
  let changed = false;
  for (const d of rows) {
    if (d.migration !== 'incoming') continue;
    const before = was?.[d.name];
    next[d.name] = before !== undefined && before.domid === d.domid ? before : { domid: d.domid, since: now };
    changed ||= next[d.name] !== before;
  }
  const kept = Object.keys(next).length;
  if (!changed && kept === Object.keys(was ?? {}).length) return r;
  if (kept === 0) {
    const { incomingSince: _gone, ...rest } = r;
    return rest;
  }
  return { ...r, incomingSince: next };
}

/** R's receiving halves with how long each has stood at NOW (by incomingSince). */
export function standingIncoming(r: HostRecord, now: number): StandingHalf[] {
  if (r.incomingSince === undefined) return [];
  const out: StandingHalf[] = [];
  for (const d of r.state?.domains ?? []) {
    const since = d.migration === 'incoming' ? r.incomingSince[d.name]?.since : undefined;
    if (since !== undefined) out.push({ row: d.name, name: d.baseName, forMs: now - since });
  }
  return out;
}
