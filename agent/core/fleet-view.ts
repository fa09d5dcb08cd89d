import type { AgentState } from './state.js';

/** The controller's view, while it may be trusted: the link up and the view younger than staleAfter. */
export function freshFleet(s: AgentState, now: number): ReadonlyMap<string, readonly string[]> | null {
  const f = s.link.fleet;
  if (s.link.phase !== 'up' || f === null || now - f.at >= s.link.staleAfterMs) return null;
  return new Map(Object.entries(f.runningOn));
}

/**
 * The hosts of that view the controller no longer hears from, with how long (ms) as of NOW: the
 * age it sent plus how long the message is here (the agent's own clock, never compared with the
 * controller's). Empty when the controller names none (or is too old to say); null with no fresh view.
 */
export function silentInFleet(s: AgentState, now: number): ReadonlyMap<string, number> | null {
  const f = s.link.fleet;
  if (freshFleet(s, now) === null || f === null) return null;
  return new Map(Object.entries(f.silent ?? {}).map(([h, ms]) => [h, ms + Math.max(0, now - f.at)] as const));
}
