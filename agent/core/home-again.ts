import type { InventoryDomain } from '../../shared/inventory.js';
import type { AwayRecord } from '../state/ledger.js';
import { busyWith } from './busy.js';
import { log } from './effects.js';
import { requestFullRead, requestList } from './read-requests.js';
import type { AgentState } from './state.js';
import { arm, type Fx } from './timers.js';

/**
 * A domU this Dom0's ledger records as away, running here again (a plain `xl list` row, nothing
 * of this agent busy with it): it came home by a way that could not tell this ledger — the
 * migration's last step failed (the other Dom0 could not be asked), or someone moved it back by
 * hand. The away record is then provably stale, and left as it is it would make guarded autostart
 * skip the domU as "migrated away" after this Dom0's next reboot. It is ended, and logged. Only
 * this case heals by itself: every other mismatch waits for an operator (`reconcile`).
 *
 * Not at once: a domU sent home by the Dom0 it visited lands here before that Dom0's migration
 * ends with `status NAME` to this one, and that status is what ends the record then. Ended here
 * first, the status would find a domU guarded on both Dom0s of its pair running here with no
 * record of it, and take it for a domU of the sender's that the sender migrated here: its own
 * home would record it as a visitor. So the record waits HOME_AGAIN_GRACE_MS after the domU is
 * first seen back (the sender's status comes seconds after the landing), and is ended here only
 * when no status came. The grace stays under the controller's 30 s before a ledger saying away
 * at a host that does not run it is an alert.
 */
export const HOME_AGAIN_GRACE_MS = 20_000;

/** An away record's domU seen running here again, as which domain, since when. */
export interface HomeAgainSeen {
  readonly domid: number | null;
  readonly since: number;
}

export interface HomeAgainInput {
  readonly seen: ReadonlyMap<string, HomeAgainSeen>;
  readonly away: Readonly<Record<string, AwayRecord>>;
  readonly rows: readonly InventoryDomain[];
  /** something of this agent has the domU in hand, or its record is being ended already */
  readonly busy: (name: string) => boolean;
  readonly now: number;
  readonly graceMs?: number;
}

export interface HomeAgainVerdict {
  readonly seen: ReadonlyMap<string, HomeAgainSeen>;
  /** away records whose domU has run here, unheld, for the whole grace */
  readonly due: readonly string[];
  /** when the next one comes due (ms from now); null: none pending */
  readonly dueInMs: number | null;
}

/** Pure: which away records' domUs have been back here long enough for the record to end now. */
export function homeAgain(i: HomeAgainInput): HomeAgainVerdict {
  const grace = i.graceMs ?? HOME_AGAIN_GRACE_MS;
  const seen = new Map<string, HomeAgainSeen>();
  const due: string[] = [];
  let dueInMs: number | null = null;
  for (const name of Object.keys(i.away)) {
    const row = i.rows.find((d) => d.name === name);
    if (!row || i.busy(name)) continue;
    const before = i.seen.get(name);
    // another domid is another arrival (it left and came back again): its own grace
    const h = before && before.domid === row.domid ? before : { domid: row.domid, since: i.now };
    if (i.now - h.since >= grace) {
      due.push(name);
      continue;
    }
    seen.set(name, h);
    dueInMs = Math.min(dueInMs ?? Infinity, h.since + grace - i.now);
  }
  return { seen, due, dueInMs };
}

/** The agent's side: each record that came due ended (and logged); a look again when the next comes due. */
export function endAwayOfReturned(s: AgentState, fx: Fx, now: number): AgentState {
  if (!s.ledger || !s.domains || s.phase !== 'running') return s;
  const away = s.ledger.away;
  const v = homeAgain({ seen: s.homeAgain, away, rows: s.domains, busy: (n) => s.endingAway.has(n) || busyWith(s, n), now });
  let ending = s.endingAway;
  for (const name of v.due) {
    const rec = away[name] as AwayRecord;
    fx.push(log('info', `${name} runs here, its home, again: its ledger record as away at ${rec.currentHost} (since ${rec.since}) ends`, { domu: name, currentHost: rec.currentHost }));
    fx.push({ e: 'end-away', name, currentHost: rec.currentHost, host: s.host });
    ending = new Set(ending).add(name);
  }
  const n = { ...s, homeAgain: v.seen, endingAway: ending };
  return v.dueInMs === null || n.timers.has('home-again') ? n : arm(n, fx, 'home-again', v.dueInMs);
}

/** The `home-again` timer: read `xl list` again; the decisions after it judge the returned domUs on it. */
export const onHomeAgainTimer = (s: AgentState, fx: Fx): AgentState => requestList(s, fx);

/**
 * A ledger record this agent asked to end (away here, or a visitor's: visitor-gone-home.ts) was
 * written, or not: either way the ledger as written is what counts, so it is read again (and
 * decided on again after).
 */
export function onLedgerRecordEnded(s: AgentState, fx: Fx, name: string, record: 'away' | 'visitor', problem: string | null): AgentState {
  const ending = new Set(s.endingAway);
  ending.delete(name);
  if (problem) fx.push(log('warn', `cannot end ${name}'s ${record} record: ${problem}`, { domu: name, code: 'XH_ERR_FILE' }));
  return requestFullRead({ ...s, endingAway: ending }, fx);
}
