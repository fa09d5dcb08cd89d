import { describe, expect, it } from 'vitest';
import { AgentConfigSchema } from '../../../agent/config/schema.js';
import type { Effect } from '../../../agent/core/effects.js';
import { reduce } from '../../../agent/core/reduce.js';
import { initialState, type AgentState } from '../../../agent/core/state.js';
import { CONTROL_PROTOCOL_VERSION } from '../../../shared/protocol/agent-control.js';

// A migration's hold ends with its control connection. A stopping agent closes that connection
// itself while the migration runs on: its journal must not say the migration let the domU go. Pure.

const T0 = Date.UTC(2025, 0, 1);
const BY = 'xenherd-agent migrate (pid 30366)';

function heldOnConn7(): AgentState {
  const s = initialState({ config: AgentConfigSchema.parse({}), host: 'xen1', pid: 1, now: T0, seed: 1, handledThisBoot: new Set(), bootId: 'b', agentVersion: 't', watchdogMs: null });
  const req = { v: CONTROL_PROTOCOL_VERSION, op: 'hold', name: 'mail1', purpose: 'migrate', operation: 'op-1', by: BY } as const;
  const held = reduce({ ...s, phase: 'running', toolstack: 'xl', domains: [] }, { t: 'control', id: 1, conn: 7, req }, T0).state;
  expect(held.holds.map((h) => h.hold.name)).toEqual(['mail1']);
  return held;
}
const lines = (effects: readonly Effect[]): string[] => effects.flatMap((e) => (e.e === 'log' ? [e.msg] : []));

describe("a hold's connection closed", () => {
  it('by the command while the agent runs: released, the host read again', () => {
    const step = reduce(heldOnConn7(), { t: 'conn-closed', conn: 7 }, T0 + 1_000);
    expect(lines(step.effects)).toContain(`mail1 released by ${BY}: reading the host again`);
    expect(step.effects.some((e) => e.e === 'read-full')).toBe(true);
  });

  it('by a stopping agent: the hold ends with the agent, the command still holding mail1 as far as the journal says', () => {
    const stopping = reduce(heldOnConn7(), { t: 'stop' }, T0 + 1_000).state;
    const step = reduce(stopping, { t: 'conn-closed', conn: 7 }, T0 + 1_000);
    const said = lines(step.effects);
    expect(said.filter((l) => l.includes('released by'))).toEqual([]);
    expect(said).toContain(`mail1 still held by ${BY}, which runs on: this agent is stopping, so the hold ends here (a migration command asks the next agent to hold mail1)`);
    expect(step.state.holds).toEqual([]);
    expect(step.effects.some((e) => e.e === 'read-full')).toBe(false);
  });
});
