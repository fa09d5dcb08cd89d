import { CLOSE, FAILBACK_REASON } from '../../shared/link/link.js';
import { log } from './effects.js';
import { failbackHold } from './failback-hold.js';
import { connectLink } from './link.js';
import { armPrimaryCheck } from './link-urls.js';
import { leaseLeftMs } from './maintenance-command.js';
import type { AgentState } from './state.js';
import { arm, disarm, type Fx } from './timers.js';

/**
 * Back from a standby controller to the primary. The process port checks whether the primary
 * answers (I/O); the core decides here whether to leave the standby for it. A primary that does
 * not answer leaves the agent where it is until the next check, so a primary that is down costs
 * a failed connection a minute, never a move. Nor does one that answers while the standby is
 * at work on this Dom0 (failback-hold.ts): the agent stays until that ends.
 */

/** While held, how often the agent looks whether the hold ended: a lease lapses with no event of its own. */
export const HOLD_RECHECK_MS = 5_000;

const withLink = (s: AgentState, link: Partial<AgentState['link']>): AgentState => ({ ...s, link: { ...s.link, ...link } });

/** What keeps the agent on the controller it reports to now (failback-hold.ts); null: nothing. */
export function holdOnStandby(s: AgentState, now: number): string | null {
  return failbackHold({
    maintenance: s.maintenance,
    leaseLeftMs: leaseLeftMs(s, now),
    controllerOwner: s.link.owners[s.link.url.at] ?? null,
    commands: s.commands.filter((c) => c.gen === s.link.gen),
    incoming: s.link.fleet?.incoming ?? [],
    incomingEndedMsAgo: s.link.fleet?.incomingEndedAt === undefined ? null : Math.max(0, now - s.link.fleet.incomingEndedAt),
  });
}

/**
 * The check timer fired: still up on a standby, the process is asked whether the primary answers;
 * while a hold it logged still stands, the primary is not asked again until the hold ends.
 */
export function onPrimaryCheckTimer(s: AgentState, fx: Fx, now: number): AgentState {
  if (s.link.phase !== 'up' || s.link.url.at === 0) return s;
  if (s.link.failbackHeld !== null && holdOnStandby(s, now) !== null) return arm(s, fx, 'primary-check', HOLD_RECHECK_MS);
  fx.push({ e: 'link-probe-primary', gen: s.link.gen });
  return s;
}

/** The primary answered the check (ANSWERS) or not, as the process port found for the link of GEN. */
export function onPrimaryProbed(s: AgentState, fx: Fx, gen: number, answers: boolean, now: number): AgentState {
  if (gen !== s.link.gen || s.link.phase !== 'up' || s.link.url.at === 0) return s;
  const held = s.link.failbackHeld;
  if (!answers) return armPrimaryCheck(withLink(s, { failbackHeld: null }), fx);
  const hold = holdOnStandby(s, now);
  if (hold !== null) {
    // said once a hold: the recheck every few seconds would fill the journal for the length of a drain
    if (held === null) fx.push(log('info', `controller link: the primary controller answers again; staying on this standby while ${hold}, then leaving for the primary`, { link: 'failback-held' }));
    return arm(withLink(s, { failbackHeld: hold }), fx, 'primary-check', HOLD_RECHECK_MS);
  }
  const after = held === null ? '' : ` now that the standby's work here ended (${held})`;
  fx.push(log('info', `controller link: the primary controller answers again, leaving the standby for it${after}`, { link: 'failback' }));
  fx.push({ e: 'link-close', gen: s.link.gen, code: CLOSE.goingAway, reason: FAILBACK_REASON });
  let n: AgentState = { ...s, dirty: true, link: { ...s.link, phase: 'waiting', sent: null, fleet: null, failbackHeld: null, url: { ...s.link.url, at: 0, stayMs: 0 } } };
  for (const t of ['heartbeat', 'fleet-stale', 'link-silence']) n = disarm(n, fx, t);
  return connectLink(n, fx);
}
