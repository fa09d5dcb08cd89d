import { AGENT_STOPPING_REASON, CLOSE } from '../../shared/link/link.js';
import { agentStoppedText } from '../../shared/text/utc-time.js';
import type { HostRecord } from './host-record.js';

/**
 * How long an agent that closed its link saying it is stopping counts as restarting, not lost. A
 * restart (systemctl restart, a package upgrade's stop, unpack and start) is back within seconds:
 * the agent's start-up reads and its first link try. A minute covers a slow Dom0 several times
 * over and still pages within the minute after that for an agent that stopped and stayed down (or
 * whose Dom0 went on to power off). The unit's own stop timeout bounds a stop, not the restart.
 */
export const AGENT_RESTART_GRACE_MS = 60_000;

/**
 * When R's agent closed its link saying it is stopping, while that link is still down; null for
 * a link up again or closed any other way (dropped, silent, refused, gone to another controller).
 */
export function cleanStopAt(r: HostRecord): number | null {
  const c = r.linkClosed;
  if (r.linkUp || c === undefined) return null;
  return c.code === CLOSE.goingAway && c.reason === AGENT_STOPPING_REASON ? c.at : null;
}

/** R's agent stopped cleanly less than AGENT_RESTART_GRACE_MS before NOW: when it stopped; else null. */
export function restartingSince(r: HostRecord, now: number): number | null {
  const at = cleanStopAt(r);
  return at !== null && now - at < AGENT_RESTART_GRACE_MS ? at : null;
}

/** "xen2's agent stopped cleanly at 15:57:15 UTC (restarting? upgrading?)" */
export const cleanStopWords = (host: string, at: number): string => `${host}'s ${agentStoppedText(at)}`;
