import type { Fx } from './effects.js';

export type { Fx };
import type { AgentState } from './state.js';

/**
 * Named timers as data: the state lists the names armed, an effect arms or cancels one on the
 * clock, and the clock's firing comes back as a `timer` event. Re-arming a name replaces it.
 */

export function arm(s: AgentState, fx: Fx, name: string, ms: number): AgentState {
  fx.push({ e: 'timer', name, ms: Math.max(0, ms) });
  if (s.timers.has(name)) return s;
  return { ...s, timers: new Set(s.timers).add(name) };
}

export function disarm(s: AgentState, fx: Fx, name: string): AgentState {
  if (!s.timers.has(name)) return s;
  fx.push({ e: 'cancel-timer', name });
  const timers = new Set(s.timers);
  timers.delete(name);
  return { ...s, timers };
}

/** A timer fired: its name is no longer armed. */
export function fired(s: AgentState, name: string): AgentState {
  if (!s.timers.has(name)) return s;
  const timers = new Set(s.timers);
  timers.delete(name);
  return { ...s, timers };
}

export function disarmAll(s: AgentState, fx: Fx): AgentState {
  for (const name of s.timers) fx.push({ e: 'cancel-timer', name });
  return { ...s, timers: new Set() };
}
