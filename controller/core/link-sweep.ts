import type { Clock } from '../../shared/clock/clock.js';
import { inSlices } from '../../shared/clock/in-slices.js';
import type { Logger } from '../../shared/logger.js';
import { CLOSE } from '../../shared/link/link.js';
import type { AgentSession } from './agent-session.js';

/**
 * Links swept per turn of the event loop (each live one gets its fleet view: a message and a
 * write), and for how long at most: at 2,000 agents the writes are a few hundred ms in all, and
 * an operator's request waits behind the slice it arrives in.
 */
const SWEEP_SLICE = { per: 100, ms: 1 };

export interface LinkSweep {
  readonly clock: Clock;
  readonly log: Logger;
  readonly staleAfterMs: number;
  /** when the host's last message was handled (null: never) */
  lastSeen(host: string): number | null;
  /** the heartbeat's message to a link that is alive */
  alive(s: AgentSession): void;
  /** since when the controller has been able to hear its agents (hearingSince) */
  readonly hearingSince: number;
}

/**
 * A heartbeat this much later than due means the controller's own loop was held (a long
 * request, a long GC pause): its agents' frames waited in the sockets, unread, and the timers run
 * before the sockets are read again.
 */
export const HELD_LOOP_MS = 2_000;

/**
 * Since when the controller hears its agents, at a heartbeat due at DUE that runs at NOW: from
 * NOW when it runs HELD_LOOP_MS late or more (an agent unheard across the hold may have spoken
 * all along), else as before.
 */
export function hearingAfter(since: number, due: number, now: number, log: Logger): number {
  if (now - due < HELD_LOOP_MS) return since;
  log.warn({ event: 'loop-held', heldMs: now - due }, `the controller's loop was held for ${Math.round((now - due) / 1000)} s: no agent link is judged silent over that time`);
  return now;
}

/** The heartbeat's pass over every agent link: a link silent for longer than staleAfter is closed, the others hear from us. */
export function sweepLinks(sessions: readonly AgentSession[], o: LinkSweep): void {
  const now = o.clock.now();
  inSlices(o.clock, sessions, SWEEP_SLICE, (s) => {
    const seen = Math.max(s.lastHeard(o.lastSeen(s.host) ?? now), o.hearingSince);
    if (now - seen <= o.staleAfterMs) return o.alive(s);
    o.log.warn({ event: 'agent-stale', host: s.host, lastSeen: seen }, `${s.host} unheard for ${Math.round((now - seen) / 1000)} s: closing its link`);
    s.close(CLOSE.stale, `nothing heard for ${Math.round((now - seen) / 1000)} s`);
  });
}
