import { AgentConfigSchema } from '../../../agent/config/schema.js';
import type { AgentEvent, HostRead } from '../../../agent/core/events.js';
import type { Effect } from '../../../agent/core/effects.js';
import { reduce } from '../../../agent/core/reduce.js';
import { initialState, type AgentState } from '../../../agent/core/state.js';
import { ONLINE } from '../../../shared/protocol/agent-link-state.js';

// The agent's reducer driven by hand: a full read of xen1 as the read-host effect returns it, and an
// agent that has started, both on a fixed clock. Tests change only what they are about.

export const T0 = Date.UTC(2025, 0, 1);
export const POLLING = AgentConfigSchema.parse({ events: { drbd: 'poll', domains: 'poll' } });

/** A full read of xen1: xl answers, nothing guarded, online, no DRBD tools; OVER replaces any part. */
export const hostRead = (over: Partial<HostRead> = {}): HostRead => ({
  host: 'xen1',
  toolstack: 'xl',
  toolstackProblem: null,
  info: null,
  domains: { ok: true, domains: [] },
  guarded: [],
  guardedProblem: null,
  visitors: [],
  ledger: null,
  ledgerProblem: null,
  maintenance: { flag: ONLINE, problem: null },
  memory: null,
  xen: null,
  homes: [],
  homesProblem: null,
  domus: [],
  drbd: { availability: 'tools-missing', version: null, problem: null, polled: null },
  ...over,
});

/** xen1's agent on the polling config, started at T0. */
export function startedAgent(config = POLLING): AgentState {
  const s = initialState({ config, host: 'xen1', pid: 1, now: T0, seed: 1, handledThisBoot: new Set(), bootId: 'b', agentVersion: 't', watchdogMs: null });
  return reduce(s, { t: 'start' }, T0).state;
}

/** Each event in turn, AT_MS(i) apart from T0: the state after all, and the effects of each. */
export function replay(s: AgentState, events: readonly AgentEvent[], atMs: (i: number) => number): { state: AgentState; effects: Effect[][] } {
  const effects: Effect[][] = [];
  let n = s;
  events.forEach((ev, i) => {
    const step = reduce(n, ev, T0 + atMs(i));
    n = step.state;
    effects.push([...step.effects]);
  });
  return { state: n, effects };
}
