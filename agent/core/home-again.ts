import { busyWith } from './busy.js';
import { log } from './effects.js';
import { requestFullRead } from './reads.js';
import type { AgentState } from './state.js';
import type { Fx } from './timers.js';

/**
 * A domU this Dom0's ledger records as away, running here again (a plain `xl list` row, nothing
 * of this agent busy with it): it came home by a way that could not tell this ledger — the
 * migration's last step failed (the other Dom0 could not be asked), or someone moved it back by
 * hand. The away record is then provably stale, and left as it is it would make guarded autostart
 * skip the domU as "migrated away" after this Dom0's next reboot. It is ended, and logged. Only
 * this case heals by itself: every other mismatch waits for an operator (`reconcile`).
 */
export function endAwayOfReturned(s: AgentState, fx: Fx): AgentState {
  if (!s.ledger || !s.domains || s.phase !== 'running') return s;
  let ending = s.endingAway;
  for (const [name, rec] of Object.entries(s.ledger.away)) {
    if (ending.has(name) || !s.domains.some((d) => d.name === name) || busyWith(s, name)) continue;
    fx.push(log('info', `${name} runs here, its home, again: its ledger record as away at ${rec.currentHost} (since ${rec.since}) ends`, { domu: name, currentHost: rec.currentHost }));
    fx.push({ e: 'end-away', name, currentHost: rec.currentHost, host: s.host });
    ending = new Set(ending).add(name);
  }
  return ending === s.endingAway ? s : { ...s, endingAway: ending };
}

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
