import type { AgentState } from './state.js';

/** The controller's view, while it may be trusted: the link up and the view younger than staleAfter. */
export function freshFleet(s: AgentState, now: number): ReadonlyMap<string, readonly string[]> | null {
  const f = s.link.fleet;
  if (s.link.phase !== 'up' || f === null || now - f.at >= s.link.staleAfterMs) return null;
  return new Map(Object.entries(f.runningOn));
}
