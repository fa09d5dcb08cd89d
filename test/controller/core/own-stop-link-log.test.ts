import { describe, expect, it } from 'vitest';
import type { CommandOutcome } from '../../../shared/protocol/ctl-api.js';
import { LEVEL, pendingBed } from './pending-bed.js';

// A migrate in flight when this controller stops ends with XH_ERR_AGENT_LINK_LOST: the
// controller closed that link itself, as every restart and upgrade does, so the line is info;
// a link that closes under a running controller is still a warning.
const { info: INFO, warn: WARN } = LEVEL;

function bed() {
  const { pending, session, lines } = pendingBed();
  const outcomes: CommandOutcome[] = [];
  pending.send(session, { type: 'command', commandId: 'cmd-1', by: 'ctl:admin', op: 'migrate', name: 'web1', operationId: 'op1', target: 'xen2', reason: 'drain' }, { progress: () => undefined, done: (o) => outcomes.push(o) });
  const done = () => lines.filter((l) => l['event'] === 'command-done');
  return { pending, session, outcomes, done };
}

describe('a command in flight whose link closes', () => {
  it("at the controller's own stop: ends link-lost, logged at info", () => {
    const b = bed();
    b.pending.closeAll();
    expect(b.outcomes.map((o) => o.code)).toEqual(['XH_ERR_AGENT_LINK_LOST']);
    expect(b.done().map((l) => [l.level, l['code']])).toEqual([[INFO, 'XH_ERR_AGENT_LINK_LOST']]);
  });

  it('while the controller runs on: still a warning', () => {
    const b = bed();
    b.pending.linkClosed(b.session, 1006, '');
    expect(b.outcomes.map((o) => o.code)).toEqual(['XH_ERR_AGENT_LINK_LOST']);
    expect(b.done().map((l) => [l.level, l['code']])).toEqual([[WARN, 'XH_ERR_AGENT_LINK_LOST']]);
  });
});
