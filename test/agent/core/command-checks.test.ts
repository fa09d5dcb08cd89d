import { describe, expect, it } from 'vitest';
import { AgentConfigSchema } from '../../../agent/config/schema.js';
import { refusalBeforeSpawn } from '../../../agent/core/command-checks.js';
import type { ChildCommand } from '../../../agent/core/effects.js';
import { initialState, type AgentState } from '../../../agent/core/state.js';
import type { Maintenance } from '../../../shared/protocol/agent-link-values.js';

// A drain's moves off a Dom0 are its own: the controller's cold fallback shuts a domU down only
// for the drain that set the Dom0 draining, as its live migrate with reason drain is. Pure.

const T0 = Date.UTC(2025, 0, 1);
const base = { type: 'command' as const, commandId: 'c1', by: 'ctl:admin', name: 'web1' };
const shutdown: ChildCommand = { ...base, op: 'shutdown', target: 'xen2', operationId: 'drain-1' };
const liveDrain: ChildCommand = { ...base, op: 'migrate', target: 'xen2', reason: 'drain', operationId: 'drain-1' };

function on(maintenance: Maintenance): AgentState {
  const s = initialState({ config: AgentConfigSchema.parse({}), host: 'xen1', pid: 1, now: T0, seed: 1, handledThisBoot: new Set(), bootId: 'b', agentVersion: 't', watchdogMs: null });
  return { ...s, phase: 'running', toolstack: 'xl', domains: [], maintenance };
}

describe("a drain's cold shutdown is held to the drain owning the Dom0, as its live move is", () => {
  it('is refused, locked, on a Dom0 another drain holds, one online and one in maintenance', () => {
    const cases: Array<[Maintenance, string]> = [
      [{ state: 'draining', operationId: 'drain-2', owner: 'ctl-b' }, 'draining for operation drain-2'],
      [{ state: 'online', operationId: null, owner: null }, 'online'],
      [{ state: 'maintenance', operationId: 'drain-1', owner: 'ctl-a' }, 'maintenance'],
    ];
    for (const [m, now] of cases) {
      const s = on(m);
      expect(refusalBeforeSpawn(s, shutdown)).toEqual({ code: 'XH_ERR_LOCKED', message: `a drain's cold shutdown of web1 for operation drain-1, but xen1 is ${now}: only the drain that set the host draining moves its domUs` });
      // the same Dom0 refuses the live move of the same drain for the same reason
      expect(refusalBeforeSpawn(s, liveDrain)).toMatchObject({ code: 'XH_ERR_LOCKED' });
    }
  });

  it('passes for the drain that set the Dom0 draining', () => {
    const s = on({ state: 'draining', operationId: 'drain-1', owner: 'ctl-a' });
    expect(refusalBeforeSpawn(s, shutdown)).toBeNull();
    expect(refusalBeforeSpawn(s, liveDrain)).toBeNull();
  });
});
