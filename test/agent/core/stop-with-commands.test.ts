import { describe, expect, it } from 'vitest';
import { AgentConfigSchema } from '../../../agent/config/schema.js';
import { reduce } from '../../../agent/core/reduce.js';
import { initialState, type AgentState, type RunningCommand } from '../../../agent/core/state.js';

// An agent stopped (systemctl restart, package upgrade) while a controller's migration runs in its
// child process: the child carries on and records the move; the stop neither waits for it nor
// stays silent about it. Pure: the stop event through the reducer.

const T0 = Date.UTC(2025, 0, 1);
const running = (op: RunningCommand['op'], name: string | null, commandId: string): RunningCommand => ({ commandId, op, name, by: 'ops', gen: 1, startedAt: T0 });

function stateWith(commands: readonly RunningCommand[]): AgentState {
  const s = initialState({ config: AgentConfigSchema.parse({}), host: 'xen1', pid: 1, now: T0, seed: 1, handledThisBoot: new Set(), bootId: 'b', agentVersion: 't', watchdogMs: null });
  return { ...s, phase: 'running', toolstack: 'xl', domains: [], commands };
}

describe('stopping while commands run', () => {
  it("names each migration child that carries on without the agent, and stops without waiting for it", () => {
    const step = reduce(stateWith([running('migrate', 'web1', 'c1'), running('inspect', 'db1', 'c2'), running('start', 'db2', 'c3')]), { t: 'stop' }, T0);
    const logs = step.effects.flatMap((e) => (e.e === 'log' && e.msg.includes('carries on without this agent') ? [e] : []));
    expect(logs.map((l) => l.fields)).toEqual([
      { commandId: 'c1', op: 'migrate', domu: 'web1' },
      { commandId: 'c3', op: 'start', domu: 'db2' },
    ]);
    expect(logs[0]?.msg).toMatch(/^stopping while the controller's migrate of web1 runs \(command c1\): .*records its outcome in the ledger/);
    expect(step.state.phase).toBe('stopped');
    expect(step.effects.some((e) => e.e === 'stopped')).toBe(true);
  });

  it('says nothing of the kind with no command running', () => {
    const step = reduce(stateWith([]), { t: 'stop' }, T0);
    expect(step.effects.some((e) => e.e === 'log' && e.msg.includes('carries on'))).toBe(false);
    expect(step.state.phase).toBe('stopped');
  });
});
