import type { AgentState, StartJob } from './state.js';

/** Ends the 'created' jobs a domain list just settled: it shows the domU, or was read after the create. */
export function settleCreated(s: AgentState): AgentState {
  if (!s.jobs.some((j) => j.phase === 'created')) return s;
  const names = new Set(s.domains?.map((d) => d.name) ?? []);
  const done = (j: StartJob): boolean => j.phase === 'created' && (names.has(j.name) || s.listRead.done >= (j.afterList ?? 0));
  return { ...s, jobs: s.jobs.filter((j) => !done(j)) };
}
