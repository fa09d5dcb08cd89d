import { isCurrent, isReachable, type HostRecord } from '../fleet/host-record.js';
import { goneFrom, runsPlainOn } from '../fleet/moved-shown.js';
import { arrivedWhileSilent } from './settle.js';

type Records = (host: string) => HostRecord | undefined;

/**
 * How long a move an agent called done waits for the controller's own reports to show it: the
 * drain/restore/rebalance executor (jobs/confirm-arrival.ts) and an operator's single migrate or
 * reverse (core/confirming-sink.ts) both go by this one judgement.
 */
export interface ArrivalLimits {
  /** how long the reports get to show the move once every host involved has been heard since */
  readonly arrivalWaitMs: number;
  /** how long a host not heard from since the move was called done is waited for, in all */
  readonly settleTimeoutMs: number;
  /** past arrivalWaitMs, how often that host's silence is looked at again (heartbeats tell no listener) */
  readonly settleRetryMs: number;
}

/** A move as its reports must show it: NAME gone from each host of FROM, running plain on TO (null: the target is not known here). */
export interface MoveShape {
  readonly name: string;
  readonly from: readonly string[];
  readonly to: string | null;
}

/**
 * FROM is silent and its last report, still listing NAME, is overtaken: TO, current, runs the very
 * domain it was seen receiving after FROM was last heard from (settle.ts arrivedWhileSilent, the
 * proof `where` accepts). FROM's next report shows it gone.
 */
export function overtakesSilentSource(record: Records, name: string, from: string, to: string, now: number, staleAfterMs: number): boolean {
  const s = record(from);
  const t = record(to);
  if (s === undefined || t?.state == null || !isCurrent(t, now, staleAfterMs)) return false;
  const source = { host: from, reachable: isReachable(s, now, staleAfterMs), lastSeen: s.lastSeen };
  return arrivedWhileSilent(source, t.state.domains.filter((d) => d.baseName === name), t.arrivedAt?.[name]);
}

/** Whether the reports show a move, and if not, the hosts whose reports do not show their part yet. */
export interface MoveShown {
  readonly shown: boolean;
  readonly waiting: readonly string[];
}

/**
 * What the reports show of M: TO listing NAME running (a plain row, not a migration half), and
 * each host of FROM listing it no more (or overtaken). The source agent's word alone is never
 * enough: an agent that says "ok" without moving anything would otherwise be believed.
 */
export function moveShown(record: Records, m: MoveShape, now: number, staleAfterMs: number): MoveShown {
  const to = m.to;
  const waiting = m.from.filter((f) => !goneFrom(record, m.name, f) && !(to !== null && overtakesSilentSource(record, m.name, f, to, now, staleAfterMs)));
  const arrived = to !== null && runsPlainOn(record, m.name, to);
  if (!arrived && to !== null) waiting.push(to);
  return { shown: arrived && waiting.length === 0, waiting };
}

/** A host the reports still wait on, not heard from since the move was called done. */
export interface Unheard {
  readonly host: string;
  /** when the controller last heard from it (null: never) */
  readonly lastSeen: number | null;
}

export type ArrivalWait =
  /** wait for a change of the fleet, or MS; UNHEARD: a host whose silence holds the wait open past arrivalWaitMs */
  | { readonly kind: 'wait'; readonly ms: number; readonly unheard: Unheard | null }
  /** every host waited on was heard since, and the reports still do not show the move */
  | { readonly kind: 'unconfirmed'; readonly waitedMs: number }
  /** UNHEARD was not heard from within settleTimeoutMs */
  | { readonly kind: 'unheard'; readonly waitedMs: number; readonly unheard: Unheard };

/** R's agent was heard from after AT on a link that is open now: its reports since are its word on the move. */
const heardSince = (r: HostRecord | undefined, at: number): boolean => r !== undefined && r.linkUp && r.lastSeen !== null && r.lastSeen > at;

/**
 * Whether a move called done at MOVEDAT, whose reports still do not show it (WAITING: the hosts
 * moveShown's waiting), is waited for further. Reports follow every change and come at least every
 * heartbeat, so arrivalWaitMs is enough for a host that is heard; one not heard from since the
 * move was called done (its link down, or silent) has not had its say, and its silence is not
 * taken for a disagreement: the wait runs on until it is heard again, up to settleTimeoutMs, as an
 * ambiguous ending is settled (jobs/settle-move.ts). A link that comes back brings a snapshot at once.
 */
export function arrivalWait(record: Records, waiting: readonly string[], movedAt: number, now: number, limits: ArrivalLimits): ArrivalWait {
  const waited = now - movedAt;
  const silent = waiting.find((h) => !heardSince(record(h), movedAt));
  const unheard = silent === undefined ? null : { host: silent, lastSeen: record(silent)?.lastSeen ?? null };
  if (waited < limits.arrivalWaitMs) return { kind: 'wait', ms: limits.arrivalWaitMs - waited, unheard };
  if (unheard === null) return { kind: 'unconfirmed', waitedMs: waited };
  if (waited >= limits.settleTimeoutMs) return { kind: 'unheard', waitedMs: waited, unheard };
  return { kind: 'wait', ms: Math.min(limits.settleRetryMs, limits.settleTimeoutMs - waited), unheard };
}
