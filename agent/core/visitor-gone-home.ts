import { busyWith } from './busy.js';
import { log } from './effects.js';
import { freshFleet } from './fleet-view.js';
import type { AgentState } from './state.js';
import type { Fx } from './timers.js';

/**
 * A visitor record of a domU that runs at its home now and nowhere else (the controller's fresh
 * view), not here (no row of any kind in `xl list`), nothing of this agent busy with it: its home
 * took it back by a way that could not tell this ledger — a restore started it there after this
 * host lost it (a power loss, a cold move whose start never came here). The record is stale, and
 * kept it would have guarded autostart start the domU here again (once this host leaves
 * maintenance, or after its next reboot), away from the home it belongs to. It is ended, and
 * logged; ending it starts nothing anywhere. The mirror of home-again.ts on the visitor's side.
 */
export function endVisitorsGoneHome(s: AgentState, fx: Fx, now: number): AgentState {
  if (!s.ledger || !s.domains || s.phase !== 'running') return s;
  const fleet = freshFleet(s, now);
  if (fleet === null) return s;
  let ending = s.endingAway;
  for (const [name, rec] of Object.entries(s.ledger.visitors)) {
    if (ending.has(name) || busyWith(s, name) || s.domains.some((d) => d.baseName === name)) continue;
    const on = fleet.get(name);
    if (on?.length !== 1 || on[0] !== rec.home || rec.home === s.host) continue;
    fx.push(log('info', `${name} runs at its home ${rec.home} again, not here: its ledger record as a visitor from ${rec.home} (since ${rec.since}) ends`, { domu: name, home: rec.home }));
    fx.push({ e: 'end-visitor', name, home: rec.home, operationId: rec.operationId, host: s.host });
    ending = new Set(ending).add(name);
  }
  return ending === s.endingAway ? s : { ...s, endingAway: ending };
}
