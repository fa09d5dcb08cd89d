import { noteCopies, unheardSince } from './copy-since.js';
import { noteHalves, noteMaintenance, type HostRecord } from './host-record.js';
import { noteIncoming } from './incoming-since.js';

/**
 * R as the controller stores it at NOW: with what no report says and the controller keeps noted
 * (since when its maintenance state, its migration halves, its arrivals and its domUs' copies
 * stand), BEFORE being the record it held until now (a host heard again after silence has its
 * copy times bounded by it). R itself when there is nothing new to note.
 */
export const storedRecord = (r: HostRecord, before: HostRecord | undefined, now: number, staleAfterMs: number): HostRecord =>
  noteCopies(noteIncoming(noteHalves(noteMaintenance(r, now), now), now), now, unheardSince(before, now, staleAfterMs));
