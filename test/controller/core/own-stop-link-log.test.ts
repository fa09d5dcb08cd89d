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

  // xenherdctl printed "the link to xen1's agent closed … check `xenherdctl where web1` once xen1
  // reports again": it blamed an agent that never left, and that `where` fails until the controller is back
  it("at the controller's own stop: the words say the controller stopped and to ask where once it runs again", () => {
    const b = bed();
    b.pending.closeAll();
    expect(b.outcomes.map((o) => o.message)).toEqual([
      "the controller stopped (1001: controller shutting down) while xen1's agent ran migrate web1 to xen2 (operation op1): the outcome is unknown here; " +
        'the agent finishes or abandons it on its own; once the controller runs again, `xenherdctl where web1` says where web1 is',
    ]);
  });

  it('while the controller runs on: still a warning', () => {
    const b = bed();
    b.pending.linkClosed(b.session, 1006, '');
    expect(b.outcomes.map((o) => o.code)).toEqual(['XH_ERR_AGENT_LINK_LOST']);
    expect(b.done().map((l) => [l.level, l['code']])).toEqual([[WARN, 'XH_ERR_AGENT_LINK_LOST']]);
    expect(b.outcomes[0]?.message).toBe(
      "the link to xen1's agent closed (1006) while it ran migrate web1 to xen2 (operation op1): the outcome is unknown here; " +
        'the agent finishes or abandons it on its own; check `xenherdctl where web1` once xen1 reports again',
    );
  });
});
