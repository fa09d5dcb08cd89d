import { describe, expect, it } from 'vitest';
import { pendingBed } from './pending-bed.js';

// The journal line of a command's end names the host before the agent's answer; the agent names
// its own host in that answer too, which read "… on xen1: XH_ERR_LOCKED: xen1 is draining …".
function ended(ok: boolean, message: string): unknown {
  const { pending, session, lines } = pendingBed();
  pending.send(session, { type: 'command', commandId: 'cmd-1', by: 'ctl:admin', op: 'maintenance', state: 'draining', from: ['online'], operationId: 'op2', owner: 'xenherd-controller@ctl-b', leaseMs: 60_000 }, { progress: () => undefined, done: () => undefined });
  pending.result(session, { type: 'result', commandId: 'cmd-1', ok, code: ok ? null : 'XH_ERR_LOCKED', message, detail: null });
  return lines.find((l) => l['event'] === 'command-done')?.['msg'];
}

describe("the journal line of a command's end", () => {
  it('names the host once: the agent naming itself reads as "it"', () => {
    expect(ended(false, 'xen1 is draining for operation op1 of ctl-a')).toBe('maintenance flag: draining (operation op2) on xen1: XH_ERR_LOCKED: it is draining for operation op1 of ctl-a');
    expect(ended(true, 'xen1 is draining')).toBe('maintenance flag: draining (operation op2) on xen1: done: it is draining');
  });

  it("keeps an answer that does not open with the host's name as it came", () => {
    expect(ended(false, 'held by xen2')).toBe('maintenance flag: draining (operation op2) on xen1: XH_ERR_LOCKED: held by xen2');
  });
});
