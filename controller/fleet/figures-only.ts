import type { HostState } from '../../shared/protocol/agent-link-state.js';
import type { DeltaMessage, SnapshotMessage } from '../../shared/protocol/agent-link.js';
import { indexOfRow, sameButFigures } from '../../shared/protocol/domain-rows.js';
import { clockAheadOf, isReachable, type HostRecord } from './host-record.js';
import { storedRecord } from './stored-record.js';

// Most deltas a fleet sends change figures alone: a Dom0's free memory, a domU's memory or vcpus
// (a balloon driver at work). Made the usual way, each such delta built the host's next record,
// state and row array (blind-rows.ts, report-state.ts), which then lived until that host's next
// delta: at 2,000 hosts and thousands of deltas a second, about one young-generation collection,
// so every scavenge copied the whole fleet's records and promoted half of them, and its pause (some
// 5 ms, several times a second) was the tail of every `where` answer. Nothing the controller works
// out from a report reads those figures but to show or plan with them at the moment it is asked
// (no alert, index, migration half, copy time or fleet view does), so such a delta is written into
// the objects the fleet view holds instead: the same record as that next record would have been,
// without the copies.

/** What a figures-only delta changes: the rows at the places named, the host's memory, when it was heard. */
export interface FigureUpdate {
  /** the places of the held rows changed, each with its new figures (the first held row of a name, as the rows apply) */
  readonly rows: readonly { readonly at: number; readonly memMiB: number; readonly vcpus: number }[];
  readonly memory: HostState['memory'] | undefined;
  readonly lastSeen: number;
  readonly clockAheadMs: number;
}

/**
 * REPORT, which came at NOW for R, as a figures-only update: null unless it is a delta of changed
 * rows and (at most) memory whose rows differ from the held ones in memMiB or vcpus alone, no row
 * gone or new, to a record that may take it written in (writableAsHeld). Anything else takes the
 * usual way (recordAfterReport).
 */
export function figuresOnly(r: HostRecord, report: SnapshotMessage | DeltaMessage, now: number, staleAfterMs: number): FigureUpdate | null {
  if (report.type !== 'delta' || report.rows === undefined || report.rows.gone.length > 0) return null;
  for (const k in report.state) if (k !== 'memory') return null;
  const held = r.state?.domains;
  if (held === undefined || !writableAsHeld(r, now, staleAfterMs)) return null;
  if (report.rows.count !== held.length) return null;
  const rows: { at: number; memMiB: number; vcpus: number }[] = [];
  for (const d of report.rows.set) {
    const at = indexOfRow(held, d.name);
    const old = held[at];
    if (old === undefined || !sameButFigures(old, d)) return null;
    rows.push({ at, memMiB: d.memMiB, vcpus: d.vcpus });
  }
  return { rows, memory: report.state.memory, lastSeen: now, clockAheadMs: clockAheadOf(report.at, now) };
}

/**
 * A heartbeat, AT on its agent's clock (undefined: another message that says no time), that came
 * at NOW for R, as an update of when R was heard alone; null where the next record must be made
 * (writableAsHeld). An agent heartbeats every few seconds: 2,000 of them made 400 records a
 * second, each living until its host's next heartbeat.
 */
export function heardOnly(r: HostRecord, at: number | undefined, now: number, staleAfterMs: number): FigureUpdate | null {
  if (r.clockAheadMs === undefined || !writableAsHeld(r, now, staleAfterMs)) return null;
  return { rows: [], memory: undefined, lastSeen: now, clockAheadMs: at === undefined ? r.clockAheadMs : clockAheadOf(at, now) };
}

/**
 * Whether R may take an update written in at NOW: it holds a state of its agent's own rows (not
 * the ones kept while its view was unknown), says how far its agent's clock is off, is reachable
 * (a host heard again after silence has its copy times worked out again: copy-since.ts), and has
 * nothing left to note (stored-record.ts): what the controller notes as it stores a record (an
 * arrival, a half's time) is noted by the next report whatever it holds.
 */
const writableAsHeld = (r: HostRecord, now: number, staleAfterMs: number): boolean =>
  r.state !== null && r.agentDomains === undefined && r.clockAheadMs !== undefined && isReachable(r, now, staleAfterMs) && storedRecord(r, r, now, staleAfterMs) === r;

type Writable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Writes U into R, the record the fleet view holds, and into its state, memory and rows: R is
 * then what recordAfterReport would have made of it. Only the fleet index, which holds R, calls
 * this; whoever keeps R (or a row of it) sees the figures as they are now, as a fresh record would
 * show them.
 */
export function writeFigures(r: HostRecord, u: FigureUpdate): void {
  const { state } = r;
  if (state === null) return;
  for (const { at, memMiB, vcpus } of u.rows) {
    const row = state.domains[at];
    if (row === undefined) continue;
    row.memMiB = memMiB;
    row.vcpus = vcpus;
  }
  if (u.memory !== undefined) {
    state.memory.totalMiB = u.memory.totalMiB;
    state.memory.freeMiB = u.memory.freeMiB;
  }
  const w: Writable<HostRecord> = r;
  w.lastSeen = u.lastSeen;
  w.clockAheadMs = u.clockAheadMs;
}
