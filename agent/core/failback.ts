import { CLOSE } from '../../shared/link/link.js';
import { log } from './effects.js';
import { connectLink } from './link.js';
import { armPrimaryCheck } from './link-urls.js';
import type { AgentState } from './state.js';
import { disarm, type Fx } from './timers.js';

/**
 * Back from a standby controller to the primary. The process port checks whether the primary
 * answers (I/O); the core decides here whether to leave the standby for it. A primary that does
 * not answer leaves the agent where it is until the next check, so a primary that is down costs
 * a failed connection a minute, never a move.
 */

/** The check timer fired: still up on a standby, the process is asked whether the primary answers. */
export function onPrimaryCheckTimer(s: AgentState, fx: Fx): AgentState {
  if (s.link.phase !== 'up' || s.link.url.at === 0) return s;
  fx.push({ e: 'link-probe-primary', gen: s.link.gen });
  return s;
}

/** The primary answered the check (ANSWERS) or not, as the process port found for the link of GEN. */
export function onPrimaryProbed(s: AgentState, fx: Fx, gen: number, answers: boolean): AgentState {
  if (gen !== s.link.gen || s.link.phase !== 'up' || s.link.url.at === 0) return s;
  if (!answers) return armPrimaryCheck(s, fx);
  fx.push(log('info', 'controller link: the primary controller answers again, leaving the standby for it', { link: 'failback' }));
  fx.push({ e: 'link-close', gen: s.link.gen, code: CLOSE.goingAway, reason: 'back to the primary controller' });
  let n: AgentState = { ...s, dirty: true, link: { ...s.link, phase: 'waiting', sent: null, fleet: null, url: { ...s.link.url, at: 0, stayMs: 0 } } };
  for (const t of ['heartbeat', 'fleet-stale', 'link-silence']) n = disarm(n, fx, t);
  return connectLink(n, fx);
}
