import { describe, expect, it } from 'vitest';
import { FleetPush, PUSH_SLICE } from '../../../controller/core/fleet-push.js';
import { FleetIndex } from '../../../controller/fleet/fleet-index.js';
import type { Clock } from '../../../shared/clock/clock.js';
import { ControllerMessageSchema, type ControllerMessage } from '../../../shared/protocol/agent-link.js';
import { guarded, hostState, record } from '../states.js';

const NOW = 1_000_000;

/** 300 Dom0s that all guard `vm`, each with a live link that keeps what it is sent */
function bed() {
  const index = new FleetIndex();
  const sent = new Map<string, ControllerMessage[]>();
  const sessions = new Map<string, { live: boolean; sendText: (t: string) => void }>();
  for (let h = 1; h <= 300; h++) {
    const host = `xen${h}`;
    index.put(record(host, hostState({ guarded: [guarded('vm')] })));
    sent.set(host, []);
    sessions.set(host, { live: true, sendText: (t) => void sent.get(host)?.push(ControllerMessageSchema.parse(JSON.parse(t))) });
  }
  // timers and `soon` wait until the test runs them, one turn of the event loop each; time stands still
  const turns: Array<() => void> = [];
  const clock: Clock = {
    now: () => NOW,
    schedule: (_ms, fn) => {
      turns.push(fn);
      return () => undefined;
    },
    sleep: () => Promise.resolve(),
    soon: (fn) => void turns.push(fn),
  };
  const push = new FleetPush({ index, sessions, clock, after: (ms, fn) => void clock.schedule(ms, fn), coalesceMs: 25, fresh: () => ({ now: NOW, staleAfterMs: 15_000 }), closed: () => false, enrolment: () => undefined });
  const total = () => [...sent.values()].reduce((n, m) => n + m.length, 0);
  /** runs the next turn; how many views it sent */
  const turn = (): number => {
    const before = total();
    const fn = turns.shift();
    if (fn === undefined) throw new Error('nothing scheduled');
    fn();
    return total() - before;
  };
  return { index, sent, push, turn, turns, total };
}

describe('the fleet push', () => {
  it('sends the views of one window a bounded slice per turn of the event loop, each host once', () => {
    const b = bed();
    b.push.runningChanged(['vm']);
    const perTurn: number[] = [];
    while (b.turns.length > 0) perTurn.push(b.turn());
    expect(Math.max(...perTurn)).toBeLessThanOrEqual(PUSH_SLICE.per);
    expect(perTurn.reduce((a, n) => a + n, 0)).toBe(300);
    expect([...b.sent.values()].every((m) => m.length === 1 && m[0]?.type === 'fleet')).toBe(true);
  });

  it('sends a host dirtied while a window is being sent in the next window', () => {
    const b = bed();
    b.push.runningChanged(['vm']);
    b.turn();
    b.push.hostChanged('xen1');
    b.push.runningChanged([]);
    while (b.turns.length > 0) b.turn();
    expect(b.sent.get('xen1')?.length).toBe(2);
    expect(b.total()).toBe(301);
  });
});
