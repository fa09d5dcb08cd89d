import { describe, expect, it } from 'vitest';
import { CONTROL_PROTOCOL_VERSION } from '../../../shared/protocol/agent-control.js';
import { AgentConfigSchema } from '../../../agent/config/schema.js';
import { refusalBeforeSpawn } from '../../../agent/core/command-checks.js';
import type { ChildCommand } from '../../../agent/core/effects.js';
import { reduce } from '../../../agent/core/reduce.js';
import { initialState, type AgentState } from '../../../agent/core/state.js';
import { statusLine } from '../../../agent/core/status.js';

// While an `xl create` an earlier agent left running still runs, its domU is the one thing this
// agent leaves alone: no controller command, hold or forced start, until the create ends. Pure.

const T0 = Date.UTC(2025, 0, 1);

function running(): AgentState {
  const s = initialState({ config: AgentConfigSchema.parse({}), host: 'xen1', pid: 1, now: T0, seed: 1, handledThisBoot: new Set(), bootId: 'b', agentVersion: 't', watchdogMs: null });
  return reduce({ ...s, phase: 'running', toolstack: 'xl', domains: [] }, { t: 'leftover-create', name: 'web1', createPid: 30366, running: true }, T0).state;
}

describe('a leftover xl create holds its domU alone', () => {
  it("refuses the controller's commands about it as locked, naming the create's pid, and none about another domU", () => {
    const s = running();
    const base = { type: 'command' as const, commandId: 'c1', by: 'ctl:admin', operationId: 'op-1' };
    for (const c of [{ ...base, name: 'web1', op: 'start', from: 'xen2' }, { ...base, name: 'web1', op: 'migrate', target: 'xen2', reason: 'restore' }] as ChildCommand[]) {
      expect(refusalBeforeSpawn(s, c)).toEqual({ code: 'XH_ERR_LOCKED', message: 'an xl create of web1 from before this agent started is still running (pid 30366): nothing is done about web1 until it ends' });
    }
    expect(refusalBeforeSpawn(s, { ...base, name: 'db1', op: 'reverse' })).toBeNull();
  });

  it('refuses a hold of it and says so in the STATUS= line; its end makes the agent decide again', () => {
    const s = running();
    const held = reduce(s, { t: 'control', id: 1, conn: 1, req: { v: CONTROL_PROTOCOL_VERSION, op: 'hold', name: 'web1', purpose: 'migrate', operation: 'op-1', by: 'ops' } }, T0);
    expect(held.effects).toContainEqual(expect.objectContaining({ e: 'reply', id: 1, response: expect.objectContaining({ ok: false, error: expect.objectContaining({ code: 'XH_ERR_LOCKED' }) }) }));
    expect(held.state.holds).toEqual([]);
    expect(statusLine(s)).toContain("waiting for web1: an earlier agent's xl create still runs");
    const ended = reduce(s, { t: 'leftover-create', name: 'web1', createPid: 30366, running: false }, T0 + 1_000);
    expect(ended.state.leftoverCreates.size).toBe(0);
    expect(ended.state.dirty).toBe(true);
    expect(statusLine(ended.state)).not.toContain('waiting for');
  });
});
