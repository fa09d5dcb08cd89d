import { describe, expect, it } from 'vitest';
import { CLOSE } from '../../../shared/link/link.js';
import { memoryLinkPair } from '../../../shared/link/memory-link.js';
import { deterministicClock } from '../../sim/daemon/clock.js';

describe('the in-memory link', () => {
  it('on a clock: frames arrive in order, only when the test moves time', async () => {
    const clock = deterministicClock(0);
    const p = memoryLinkPair({ name: 'xen1', clock, latencyMs: 5 });
    const got: string[] = [];
    p.controller.onMessage((t) => got.push(t));
    p.agent.send('a');
    p.agent.send('b');
    await clock.advance(4);
    expect(got).toEqual([]);
    await clock.advance(1);
    expect(got).toEqual(['a', 'b']);
  });

  it('without a clock: on the microtask queue', async () => {
    const p = memoryLinkPair({ name: 'xen1' });
    const got: string[] = [];
    p.agent.onMessage((t) => got.push(t));
    p.controller.send('x');
    expect(got).toEqual([]);
    await Promise.resolve();
    expect(got).toEqual(['x']);
  });

  it('close: the closing end at once, the other after the frames sent before it; sends after close go nowhere', async () => {
    const clock = deterministicClock(0);
    const p = memoryLinkPair({ name: 'xen1', clock });
    const seen: string[] = [];
    p.controller.onMessage((t) => seen.push(t));
    p.controller.onClose((c, r) => seen.push(`close ${c} ${r}`));
    p.agent.onClose((c) => seen.push(`agent closed ${c}`));
    p.agent.send('last');
    p.agent.close(CLOSE.normal, 'bye');
    p.agent.send('never');
    expect(seen).toEqual(['agent closed 1000']);
    await clock.advance(0);
    expect(seen).toEqual(['agent closed 1000', 'last', 'close 1000 bye']);
  });

  it('drop: frames in flight are lost and both ends see 1006', async () => {
    const clock = deterministicClock(0);
    const p = memoryLinkPair({ name: 'xen1', clock });
    const seen: string[] = [];
    p.controller.onMessage((t) => seen.push(t));
    p.controller.onClose((c) => seen.push(`controller ${c}`));
    p.agent.onClose((c) => seen.push(`agent ${c}`));
    p.agent.send('in flight');
    p.drop();
    p.agent.send('after');
    await clock.advance(0);
    expect(seen).toEqual([`agent ${CLOSE.dropped}`, `controller ${CLOSE.dropped}`]);
  });
});
