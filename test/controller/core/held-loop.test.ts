import { describe, expect, it } from 'vitest';
import { ControllerCore } from '../../../controller/core/controller-core.js';
import type { Clock } from '../../../shared/clock/clock.js';
import { CLOSE } from '../../../shared/link/link.js';
import { memoryLinkPair } from '../../../shared/link/memory-link.js';
import { memoryLogger } from '../../harness/memory-log.js';
import { deterministicClock } from '../../sim/daemon/clock.js';
import { FakeAgent } from '../fake-agent.js';
import { dom, hostState } from '../states.js';
import { SETTINGS, T0 } from './core-bed.js';

/**
 * The controller's loop held (a long request, a GC pause): on the deterministic clock, time that
 * passes while no timer and no frame can run. `hold(ms)` moves the core's clock on by MS at once.
 */
function heldBed() {
  const sim = deterministicClock(T0);
  let held = 0;
  const clock: Clock = { now: () => sim.now() + held, schedule: (ms, fn) => sim.schedule(ms, fn), sleep: (ms) => sim.sleep(ms) };
  const { log, lines } = memoryLogger(clock, 'xenherd-controller');
  let n = 0;
  const core = new ControllerCore({ clock, log, newId: () => `id${++n}`, settings: SETTINGS });
  const agent = (host: string): FakeAgent => {
    const pair = memoryLinkPair({ name: host, clock });
    core.acceptAgent(pair.controller, { host });
    const a = new FakeAgent(pair.agent, host, () => clock.now());
    a.hello();
    a.snapshot(hostState({ domains: [dom(`web-${host}`)] }));
    return a;
  };
  return { sim, core, agent, lines, hold: (ms: number) => void (held += ms) };
}

describe('a held loop is not the agents going silent', () => {
  it('links heard up to the hold stay open after it; one that stays silent after it is closed staleAfter later', async () => {
    const bed = heldBed();
    const talking = bed.agent('xen1');
    const dead = bed.agent('xen2');
    await bed.sim.advance(500);
    // 16 s held, five times staleAfter: nobody could be heard meanwhile
    bed.hold(16_000);
    await bed.sim.advance(1_000);
    expect(bed.lines.filter((l) => l['event'] === 'loop-held')).toHaveLength(1);
    expect(bed.lines.filter((l) => l['event'] === 'agent-stale')).toEqual([]);
    expect([talking.closed, dead.closed]).toEqual([null, null]);
    // after the hold one agent speaks every second, the other stays silent
    for (let i = 0; i < 3; i++) {
      talking.heartbeat();
      await bed.sim.advance(1_000);
    }
    expect(dead.closed).toBeNull();
    talking.heartbeat();
    await bed.sim.advance(1_000);
    expect(dead.closed?.code).toBe(CLOSE.stale);
    expect(talking.closed).toBeNull();
    expect(bed.lines.filter((l) => l['event'] === 'agent-stale').map((l) => l['host'])).toEqual(['xen2']);
  });

  it('a heartbeat a little late (less than 2 s) judges silence as before', async () => {
    const bed = heldBed();
    const dead = bed.agent('xen2');
    await bed.sim.advance(500);
    bed.hold(1_900);
    await bed.sim.advance(1_000);
    expect(bed.lines.filter((l) => l['event'] === 'loop-held')).toEqual([]);
    await bed.sim.advance(1_000);
    expect(dead.closed?.code).toBe(CLOSE.stale);
  });
});
