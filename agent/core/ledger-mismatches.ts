import { reconcile, type LedgerMismatch, type ListedDomain } from '../state/ledger.js';
import { busyWith } from './busy.js';
import { log } from './effects.js';
import { requestList } from './read-requests.js';
import type { AgentState } from './state.js';
import { arm, type Fx } from './timers.js';

/**
 * The ledger against `xl list` after every read, each mismatch logged at warn once it has stood
 * MISMATCH_LOG_AFTER_MS, never rewritten. Every migration looks like one for a moment — the
 * arriving domU runs before its peer's `status` records it, the sender's visitor record outlives
 * the domU by the step that ends it, a domU sent home runs there before its away record ends —
 * and a warning for each routine migration would teach people to skip the real ones. A domU this
 * agent has in hand, or with a migration row listed here, starts no clock. The wait matches the
 * controller's 30 s before the same conditions are alerts.
 */
export const MISMATCH_LOG_AFTER_MS = 30_000;

/** A mismatch seen without a break since, and whether it has been logged. */
export interface MismatchSeen {
  readonly since: number;
  readonly logged: boolean;
}

export interface MismatchInput {
  readonly seen: ReadonlyMap<string, MismatchSeen>;
  readonly mismatches: readonly LedgerMismatch[];
  readonly rows: readonly ListedDomain[];
  readonly busy: (name: string) => boolean;
  readonly now: number;
}

export interface MismatchVerdict {
  readonly seen: ReadonlyMap<string, MismatchSeen>;
  readonly toLog: readonly LedgerMismatch[];
  /** when the next one comes due (ms from now); null: none pending */
  readonly dueInMs: number | null;
}

const keyOf = (m: LedgerMismatch): string => `${m.kind}:${m.domu}`;

/** Pure: which mismatches have stood long enough, outside any migration, to be logged now. */
export function standingMismatches(i: MismatchInput): MismatchVerdict {
  const seen = new Map<string, MismatchSeen>();
  const toLog: LedgerMismatch[] = [];
  let dueInMs: number | null = null;
  for (const m of i.mismatches) {
    if (i.busy(m.domu) || i.rows.some((d) => d.baseName === m.domu && d.migration !== null)) continue;
    const k = keyOf(m);
    const h = i.seen.get(k) ?? { since: i.now, logged: false };
    if (!h.logged && i.now - h.since >= MISMATCH_LOG_AFTER_MS) {
      toLog.push(m);
      seen.set(k, { ...h, logged: true });
      continue;
    }
    seen.set(k, h);
    if (!h.logged) dueInMs = Math.min(dueInMs ?? Infinity, h.since + MISMATCH_LOG_AFTER_MS - i.now);
  }
  return { seen, toLog, dueInMs };
}

export function reportMismatches(s: AgentState, fx: Fx, now: number): AgentState {
  if (!s.ledger || !s.domains) return s;
  const own = new Set(s.guarded.filter((g) => s.ledger?.visitors[g.name] === undefined).map((g) => g.name));
  const { mismatches } = reconcile(s.ledger, s.domains, own);
  const v = standingMismatches({ seen: s.mismatches, mismatches, rows: s.domains, busy: (n) => busyWith(s, n), now });
  for (const m of v.toLog) fx.push(log('warn', `ledger mismatch: ${m.detail}`, { code: 'XH_ERR_LEDGER_MISMATCH', domu: m.domu, mismatch: m.kind }));
  const n = { ...s, mismatches: v.seen };
  return v.dueInMs === null || n.timers.has('mismatch') ? n : arm(n, fx, 'mismatch', v.dueInMs);
}

/** The `mismatch` timer: read `xl list` again; the decisions after it judge the mismatches on it. */
export const onMismatchTimer = (s: AgentState, fx: Fx): AgentState => requestList(s, fx);
