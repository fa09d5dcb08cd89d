import { describe, expect, it } from 'vitest';
import { AGENT_RESTART_GRACE_MS, cleanStopAt, restartingSince } from '../../../controller/fleet/agent-stop.js';
import { newHostRecord, type HostRecord } from '../../../controller/fleet/host-record.js';
import { AGENT_STOPPING_REASON, CLOSE } from '../../../shared/link/link.js';

// Which closed links are an agent restarting (it said it is stopping), and for how long.

const closed = (code: number, reason: string, linkUp = false): HostRecord => ({ ...newHostRecord('xen2'), linkUp, lastSeen: 900, linkClosed: { at: 1_000, code, reason } });

describe('an agent stopped cleanly', () => {
  it('is one whose close said so with CLOSE.goingAway, while its link is still down', () => {
    expect(cleanStopAt(closed(CLOSE.goingAway, AGENT_STOPPING_REASON))).toBe(1_000);
    // a link up again: whatever the last close said is over
    expect(cleanStopAt(closed(CLOSE.goingAway, AGENT_STOPPING_REASON, true))).toBeNull();
    // no close seen since the controller started
    expect(cleanStopAt(newHostRecord('xen2'))).toBeNull();
  });

  it('no other close: dropped, stale, refused, replaced, going away for another reason', () => {
    for (const [code, reason] of [
      [CLOSE.dropped, 'link dropped'],
      [CLOSE.stale, 'nothing heard for 30 s'],
      [CLOSE.policy, 'token revoked'],
      [CLOSE.replaced, 'replaced by a newer link of the same host'],
      [CLOSE.goingAway, 'controller silent'],
      [CLOSE.goingAway, 'back to the primary controller'],
      [CLOSE.normal, AGENT_STOPPING_REASON],
    ] as const) {
      expect(cleanStopAt(closed(code, reason)), `${code} ${reason}`).toBeNull();
    }
  });

  it('counts as restarting for AGENT_RESTART_GRACE_MS after it stopped, not from then on', () => {
    const r = closed(CLOSE.goingAway, AGENT_STOPPING_REASON);
    expect(restartingSince(r, 1_000)).toBe(1_000);
    expect(restartingSince(r, 1_000 + AGENT_RESTART_GRACE_MS - 1)).toBe(1_000);
    expect(restartingSince(r, 1_000 + AGENT_RESTART_GRACE_MS)).toBeNull();
    expect(restartingSince(closed(CLOSE.dropped, 'link dropped'), 1_000)).toBeNull();
    expect(AGENT_RESTART_GRACE_MS).toBe(60_000);
  });
});
