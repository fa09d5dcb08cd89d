import { noteArrivals } from './arrivals.js';
import { noteHalvesOf, type HostRecord, type StandingHalf } from './host-record.js';

/**
 * R with incomingSince following its reported receiving halves, as noteHalves keeps the sender's,
 * and arrivedAt following the halves that turned into plain rows: noted first, as a half's time is
 * gone once the report without it is taken in.
 */
export const noteIncoming = (r: HostRecord, now: number): HostRecord => noteHalvesOf(noteArrivals(r, now), 'incomingSince', now);

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
