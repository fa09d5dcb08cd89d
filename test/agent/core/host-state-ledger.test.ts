import { describe, expect, it } from 'vitest';
import { AgentConfigSchema } from '../../../agent/config/schema.js';
import { hostStateOf } from '../../../agent/core/host-state.js';
import { initialState, type AgentState } from '../../../agent/core/state.js';
import { emptyLedger, withAway, withUnsettled } from '../../../agent/state/ledger.js';
import { HostStateSchema } from '../../../shared/protocol/agent-link-state.js';

// The ledger as the agent reports it: an unsettled ALARM only to a controller whose welcome said it
// reads one (an older controller refuses a report with a key it does not know), and only when there is one.

const state = (accepts: string[], withAlarm: boolean): AgentState => {
  const s = initialState({ config: AgentConfigSchema.parse({}), host: 'xen1', pid: 1, now: Date.UTC(2025, 0, 1), seed: 1, handledThisBoot: new Set(), bootId: 'b', agentVersion: 't', watchdogMs: null });
  let ledger = withAway(emptyLedger('xen1'), 'web1', { home: 'xen1', currentHost: 'xen2', since: '2025-01-01T00:00:00.000Z', operationId: 'op1', reason: 'manual' });
  if (withAlarm) ledger = withUnsettled(ledger, 'db1', { peer: 'xen2', since: '2025-01-01T00:00:01.000Z', operationId: 'op2', operation: 'reverse', message: 'ALARM: xen2 reported success but db1 does not run on xen1' });
  return { ...s, ledger, link: { ...s.link, phase: 'up', accepts } };
};

describe('the ledger section of the host state', () => {
  it('carries the unsettled table to a controller that accepts it, and the report passes the link schema', () => {
    const r = hostStateOf(state(['view-lag', 'unsettled'], true));
    expect(r.ledger.unsettled).toEqual({ db1: { peer: 'xen2', since: '2025-01-01T00:00:01.000Z', operationId: 'op2', operation: 'reverse', message: 'ALARM: xen2 reported success but db1 does not run on xen1' } });
    expect(HostStateSchema.safeParse(JSON.parse(JSON.stringify(r))).success).toBe(true);
  });

  it('leaves it out for an older controller, and when it is empty', () => {
    expect(Object.keys(hostStateOf(state(['view-lag'], true)).ledger).sort()).toEqual(['away', 'seq', 'visitors']);
    expect(Object.keys(hostStateOf(state(['unsettled'], false)).ledger).sort()).toEqual(['away', 'seq', 'visitors']);
  });
});
