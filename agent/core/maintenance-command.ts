import { MAX_LEASE_MS, type MaintenanceReport } from '../../shared/protocol/agent-link-commands.js';
import type { Maintenance } from '../../shared/protocol/agent-link-state.js';
import { isActiveState, judgeMaintenance } from '../decide/maintenance-rules.js';
import { finishCommand } from './command-result.js';
import { log } from './effects.js';
import { requestList } from './read-requests.js';
import type { AgentState, MaintenanceCommand, MaintenanceKeeping } from './state.js';
import type { Fx } from './timers.js';
import { MAINTENANCE_WORDS } from '../../shared/text/maintenance-words.js';

/**
 * The controller's `maintenance` command: the owner rules (agent/decide/maintenance-rules.ts)
 * judged on this agent's flag and lease, then the flag written atomically before the answer, so
 * an ok always means "on disk". One command is served at a time — the next waits for the write
 * before it is judged — so two controllers can never both be told yes on the same old state.
 * Rule 4 (maintenance needs an empty host) is judged on an `xl list` read after the command came:
 * the list in memory may lag a domU that just arrived.
 */
const iso = (ms: number): string => new Date(ms).toISOString();
/** an agent that starts with an active flag gives its owner this long to renew it */
export const RESTART_LEASE_MS = 60_000;

const withKeeping = (s: AgentState, k: Partial<MaintenanceKeeping>): AgentState => ({ ...s, maintenanceKeeping: { ...s.maintenanceKeeping, ...k } });
const sameFlag = (a: Maintenance, b: Maintenance): boolean => a.state === b.state && a.operationId === b.operationId && a.owner === b.owner;

/** How long the active state's lease still runs; 0 for none, lapsed, or a settled state. */
export function leaseLeftMs(s: AgentState, now: number): number {
  const until = s.maintenanceKeeping.leaseUntil;
  if (!isActiveState(s.maintenance.state) || until === null) return 0;
  return Math.max(0, Math.min(MAX_LEASE_MS, Math.round(until - now)));
}

const report = (s: AgentState, now: number): MaintenanceReport => ({ kind: 'maintenance', maintenance: s.maintenance, leaseLeftMs: leaseLeftMs(s, now) });

export function onMaintenanceCommand(s: AgentState, fx: Fx, c: MaintenanceCommand, now: number): AgentState {
  if (s.lastFullRead === null) {
    // before the first read, this agent does not know the flag on disk: nothing to compare with
    // no data: what this agent holds is not the flag yet, and saying "online" would mislead
    return finishCommand(s, fx, c.commandId, { ok: false, code: 'XH_ERR_REFUSED', message: `the agent on ${s.host} has not read its maintenance flag yet: ask again`, detail: null }, null, now);
  }
  const n = withKeeping(s, { queue: [...s.maintenanceKeeping.queue, c] });
  return n.maintenanceKeeping.serving === null ? serveNext(n, fx, now) : n;
}

/** Judges the first waiting command; a refusal or an unchanged flag is answered at once, then the next. */
function serveNext(s: AgentState, fx: Fx, now: number, listed = false): AgentState {
  const c = s.maintenanceKeeping.queue[0];
  if (c === undefined) return withKeeping(s, { serving: null });
  if (c.state === 'maintenance' && !listed && s.toolstack !== null) {
    const afterList = s.listRead.done + (s.listRead.running ? 2 : 1);
    return withKeeping(requestList(s, fx), { serving: { phase: 'list', afterList } });
  }
  const leaseLive = s.maintenanceKeeping.leaseUntil !== null && s.maintenanceKeeping.leaseUntil > now;
  const v = judgeMaintenance(c, { current: s.maintenance, leaseLive, domains: s.domains });
  if (!v.ok) return answerAndNext(s, fx, c, { ok: false, code: v.code, message: `${s.host}: ${v.message}`, detail: null }, now);
  if (sameFlag(v.flag, s.maintenance)) {
    // a renewal: the flag on disk already says this; only the lease moves
    const n = withKeeping(s, { leaseUntil: v.leaseMs === null ? null : now + v.leaseMs });
    return answerAndNext(n, fx, c, { ok: true, code: null, message: `${s.host} is ${MAINTENANCE_WORDS[v.flag.state]}${v.leaseMs === null ? '' : `; lease renewed for ${Math.round(v.leaseMs / 1000)} s`}`, detail: null }, now);
  }
  fx.push({ e: 'write-maintenance', flag: v.flag, since: iso(now) });
  return withKeeping(s, { serving: { phase: 'write', flag: v.flag, leaseMs: v.leaseMs } });
}

function answerAndNext(s: AgentState, fx: Fx, c: MaintenanceCommand, o: Parameters<typeof finishCommand>[3], now: number): AgentState {
  const n = finishCommand(s, fx, c.commandId, o, report(s, now), now);
  return serveNext(withKeeping(n, { queue: n.maintenanceKeeping.queue.slice(1), serving: null }), fx, now);
}

/** An `xl list` read ended (or failed): the command waiting for one is judged now. */
export function maintenanceAfterList(s: AgentState, fx: Fx, now: number): AgentState {
  const w = s.maintenanceKeeping.serving;
  if (w?.phase !== 'list' || s.listRead.done < w.afterList) return s;
  return serveNext(s, fx, now, true);
}

export function onMaintenanceWritten(s: AgentState, fx: Fx, problem: string | null, now: number): AgentState {
  const w = s.maintenanceKeeping.serving;
  const c = s.maintenanceKeeping.queue[0];
  if (w?.phase !== 'write' || c === undefined) return s;
  if (problem !== null) {
    fx.push(log('error', `cannot write the maintenance flag (${w.flag.state}): ${problem}`, { code: 'XH_ERR_FILE' }));
    return answerAndNext(s, fx, c, { ok: false, code: 'XH_ERR_FILE', message: `${s.host} could not write its maintenance flag, it stays ${MAINTENANCE_WORDS[s.maintenance.state]}: ${problem}`, detail: null }, now);
  }
  const before = s.maintenance;
  // a full read running now may have read the file before this write: its flag is not taken
  const staleReadsUpTo = s.fullRead.done + (s.fullRead.running ? 1 : 0);
  const n = withKeeping({ ...s, maintenance: w.flag, dirty: true }, { leaseUntil: w.leaseMs === null ? null : now + w.leaseMs, staleReadsUpTo });
  fx.push(log('warn', `maintenance state ${before.state} → ${w.flag.state}${w.flag.operationId ? ` (operation ${w.flag.operationId}, owner ${w.flag.owner ?? '?'})` : ''}, asked by ${c.by}`, { maintenance: w.flag.state, operationId: w.flag.operationId, owner: w.flag.owner, by: c.by, leaseMs: w.leaseMs }));
  const lease = w.leaseMs === null ? '' : `; lease ${Math.round(w.leaseMs / 1000)} s`;
  return answerAndNext(n, fx, c, { ok: true, code: null, message: `${s.host} is ${MAINTENANCE_WORDS[w.flag.state]}${lease}`, detail: null }, now);
}

/**
 * The flag a full read found on disk. Ignored while a write of ours is in flight or when the read
 * may have started before our last write. On the agent's first read an active flag gets a lease
 * of RESTART_LEASE_MS counted from the agent's start, so the controller that ran the operation
 * can renew it; a flag changed on disk by anything else keeps no lease.
 */
export function applyReadFlag(s: AgentState, fx: Fx, flag: Maintenance, readNumber: number): AgentState {
  const k = s.maintenanceKeeping;
  if (k.serving?.phase === 'write' || readNumber <= k.staleReadsUpTo) return s;
  if (s.lastFullRead === null) {
    const active = isActiveState(flag.state);
    if (flag.state !== 'online') fx.push(log('warn', `this host is ${MAINTENANCE_WORDS[flag.state]}${flag.operationId ? ` (operation ${flag.operationId}, owner ${flag.owner ?? '?'})` : ''} from before the agent started${active ? `: its owner has ${RESTART_LEASE_MS / 1000} s to renew it` : ''}`, { maintenance: flag.state, operationId: flag.operationId, owner: flag.owner }));
    return withKeeping({ ...s, maintenance: flag }, { leaseUntil: active ? s.startedAt + RESTART_LEASE_MS : null });
  }
  if (sameFlag(flag, s.maintenance)) return s;
  fx.push(log('warn', `the maintenance flag changed on disk outside this agent: ${s.maintenance.state} → ${flag.state}`, { maintenance: flag.state, operationId: flag.operationId, owner: flag.owner }));
  return withKeeping({ ...s, maintenance: flag }, { leaseUntil: null });
}
