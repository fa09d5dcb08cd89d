import type { InventoryDomain } from '../../shared/inventory.js';
import { halvesCanStrand, STRANDED_HALF_MS } from '../../shared/stranded-half.js';
import { busyWith } from './busy.js';
import { log } from './effects.js';
import { requestList } from './read-requests.js';
import type { AgentState } from './state.js';
import { arm, type Fx } from './timers.js';

/**
 * A `NAME--migratedaway` row that stands here while nothing of this agent runs a migration of NAME.
 *
 * libxl renames the sender's copy `NAME--migratedaway` only for the final handshake of `xl migrate`
 * and destroys it (success) or renames it back (failure) when the handshake ends; a row that stays
 * is a migration from here that ended without its handshake: both halves kept, an ALARM. The
 * command that ran it says so in its result — but when this agent died while it ran (its child
 * outlived it, its hold went with it), that result reached nobody: no ALARM anywhere, and a
 * restore waits on "being migrated right now" for ever. So the agent that finds such a row raises
 * the ALARM itself once the row has stood long enough that no handshake is still running. It only
 * logs: nothing is started, destroyed or recorded (never a guess; a person settles it).
 * Only the sender's half is judged: a `--incoming` row stands for the whole memory copy, which
 * may take minutes, and the receiving side cannot tell a slow copy from a lost sender.
 */

/** A sender's half seen here with no migration of its domU held, since when; alarmed: logged once. */
export interface HalfSeen {
  readonly domid: number | null;
  readonly since: number;
  readonly alarmed: boolean;
}

export interface StrandedAlarm {
  readonly row: string;
  readonly name: string;
  readonly domid: number | null;
  readonly since: number;
}

export interface StrandedVerdict {
  readonly seen: ReadonlyMap<string, HalfSeen>;
  readonly alarms: readonly StrandedAlarm[];
  /** when a half not yet alarmed comes due (ms from now); null: none pending */
  readonly dueInMs: number | null;
}

export interface StrandedInput {
  readonly seen: ReadonlyMap<string, HalfSeen>;
  readonly rows: readonly InventoryDomain[];
  /** something of this agent has the domU in hand (a migration's hold, a command, a start) */
  readonly busy: (name: string) => boolean;
  /** the rows are this agent's current view (no domain change waiting for its `xl list` re-read) */
  readonly viewCurrent: boolean;
  readonly now: number;
  readonly graceMs?: number;
}

/** Pure: which sender's halves have stood long enough, unheld, to be an ALARM now. */
export function strandedHalves(i: StrandedInput): StrandedVerdict {
  const grace = i.graceMs ?? STRANDED_HALF_MS;
  const seen = new Map<string, HalfSeen>();
  const alarms: StrandedAlarm[] = [];
  let dueInMs: number | null = null;
  for (const r of i.rows) {
    if (r.migration !== 'migratedaway' || r.baseName === null) continue;
    // a migration holds it: its own ending decides (and its result carries any ALARM); the clock restarts after it
    if (i.busy(r.baseName)) continue;
    const before = i.seen.get(r.name);
    // another domid under the same name is another migration's half: its own clock
    const h = before && before.domid === r.domid ? before : { domid: r.domid, since: i.now, alarmed: false };
    if (!h.alarmed && i.now - h.since >= grace && i.viewCurrent) {
      alarms.push({ row: r.name, name: r.baseName, domid: r.domid, since: h.since });
      seen.set(r.name, { ...h, alarmed: true });
      continue;
    }
    seen.set(r.name, h);
    if (!h.alarmed) dueInMs = Math.min(dueInMs ?? Infinity, Math.max(0, h.since + grace - i.now));
  }
  return { seen, alarms, dueInMs };
}

/** The agent's side: each stranded half logged once as an ALARM; a look again when one comes due. */
export function alarmStrandedHalves(s: AgentState, fx: Fx, now: number): AgentState {
  if (!s.domains || s.phase !== 'running' || !halvesCanStrand(s.toolstack)) return s;
  const v = strandedHalves({ seen: s.strandedHalves, rows: s.domains, busy: (n) => busyWith(s, n), viewCurrent: s.domainsBehind.length === 0, now });
  for (const a of v.alarms) {
    const secs = Math.round((now - a.since) / 1000);
    fx.push(
      log(
        'error',
        `ALARM: ${a.row} (domid ${String(a.domid)}) has stood here for ${secs} s with no migration of ${a.name} running on this host: a migration of it from here ended without its final handshake (if this agent was not running then, nobody was told); both halves are kept and nothing is guessed: check both hosts by hand (\`xenherd-agent status ${a.name}\` here and on its target)`,
        { code: 'XH_ERR_MIGRATION_UNKNOWN', domu: a.name, row: a.row, domid: a.domid },
      ),
    );
  }
  const n = { ...s, strandedHalves: v.seen };
  return v.dueInMs === null || n.timers.has('stranded') ? n : arm(n, fx, 'stranded', v.dueInMs);
}

/** The `stranded` timer: read `xl list` again; the decisions after it judge the halves on it. */
export const onStrandedTimer = (s: AgentState, fx: Fx): AgentState => requestList(s, fx);
