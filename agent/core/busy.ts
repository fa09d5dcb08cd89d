import type { AgentState } from './state.js';

/**
 * Something of this agent has a domU in hand: its `xl create` (or one an earlier agent left
 * running), a migration's hold, or a controller's command about it (a cold start's child process,
 * before its hold arrives). While it does, the agent decides nothing about that domU: the ending
 * of what runs decides next.
 */
export const busyWith = (s: AgentState, name: string, except: string | null = null): boolean =>
  s.jobs.some((j) => j.name === name) ||
  s.leftoverCreates.has(name) ||
  s.holds.some((h) => h.hold.name === name) ||
  s.commands.some((c) => c.commandId !== except && c.name === name && c.op !== 'inspect');
