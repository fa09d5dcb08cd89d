import { describe, expect, it } from 'vitest';
import type { CommandMessage } from '../../../shared/protocol/agent-link.js';
import { LEVEL, pendingBed } from './pending-bed.js';

// A drain renews its host's maintenance lease every third of the lease: at info, that was two
// journal lines every 20 s per host draining, most of a drain's log. Renewals are debug; the claim,
// its release, a change of state and a refusal are not.
const { debug: DEBUG, info: INFO, warn: WARN } = LEVEL;

function bed() {
  const { pending, session, lines } = pendingBed();
  const run = (c: Omit<Extract<CommandMessage, { op: 'maintenance' }>, 'type' | 'commandId' | 'by'>, ok: boolean): number[] => {
    const commandId = `cmd-${lines.length}`;
    const before = lines.length;
    pending.send(session, { type: 'command', commandId, by: 'ctl:admin', ...c }, { progress: () => undefined, done: () => undefined });
    pending.result(session, { type: 'result', commandId, ok, code: ok ? null : 'XH_ERR_LOCKED', message: ok ? 'xen1 is draining' : 'held by another', detail: null });
    return lines.slice(before).map((l) => l.level);
  };
  return { run };
}

const base = { op: 'maintenance', operationId: 'op1', owner: 'xenherd-controller@ctl1' } as const;

describe("the controller's log of maintenance leases", () => {
  it('a renewal (the same state, with a lease) is logged at debug, sent and done', () => {
    const { run } = bed();
    expect(run({ ...base, state: 'draining', from: ['draining'], leaseMs: 60_000 }, true)).toEqual([DEBUG, DEBUG]);
  });

  it('the claim, a change of state and the release stay info; a refused renewal warns', () => {
    const { run } = bed();
    expect(run({ ...base, state: 'draining', from: ['online', 'draining'], leaseMs: 60_000 }, true)).toEqual([INFO, INFO]);
    expect(run({ ...base, state: 'maintenance', from: ['draining'], leaseMs: 0 }, true)).toEqual([INFO, INFO]);
    expect(run({ ...base, state: 'draining', from: ['draining'], leaseMs: 0 }, true)).toEqual([INFO, INFO]);
    expect(run({ ...base, state: 'draining', from: ['draining'], leaseMs: 60_000 }, false)).toEqual([DEBUG, WARN]);
  });
});
