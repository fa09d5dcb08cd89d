import { describe, expect, it } from 'vitest';
import { ControllerCore } from '../../../controller/core/controller-core.js';
import { clockStepText } from '../../../controller/cli/clock-step-text.js';
import type { Clock } from '../../../shared/clock/clock.js';
import { steadyClock } from '../../../shared/clock/steady-clock.js';
import { memoryLinkPair } from '../../../shared/link/memory-link.js';
import { memoryLogger } from '../../harness/memory-log.js';
import { deterministicClock } from '../../sim/daemon/clock.js';
import { FakeAgent } from '../fake-agent.js';
import { dom, hostState } from '../states.js';
import { recordingSink, SETTINGS, T0 } from './core-bed.js';

// The controller's machine: the simulator's time is its monotonic clock (and Node's timers), its
// system clock that plus whatever NTP stepped. serve runs the core on the steady clock over them
// (controller/main.ts), so a step must move no silence, age or alert time.
function bed(steady: boolean) {
  const sim = deterministicClock(T0);
  let stepped = 0;
  const system: Clock = { now: () => sim.now() + stepped, schedule: (ms, fn) => sim.schedule(ms, fn), sleep: (ms) => sim.sleep(ms) };
  const clock = steady ? steadyClock(() => system.now(), () => sim.now(), sim) : system;
  const { log, lines: logs } = memoryLogger(clock, 'xenherd-controller');
  let n = 0;
  const core = new ControllerCore({ clock, log, newId: () => `id${++n}`, settings: SETTINGS }); // heartbeat 1 s, staleAfter 3 s
  const online = async (host: string, domains = [dom(`web-${host}`)]): Promise<FakeAgent> => {
    const pair = memoryLinkPair({ name: host, clock: sim });
    core.acceptAgent(pair.controller, { host });
    const agent = new FakeAgent(pair.agent, host, () => sim.now());
    agent.hello();
    agent.snapshot(hostState({ domains }));
    await sim.advance(0);
    return agent;
  };
  const beat = async (agents: readonly FakeAgent[], seconds: number): Promise<void> => {
    for (let i = 0; i < seconds; i++) {
      await sim.advance(1_000);
      for (const a of agents) a.heartbeat();
    }
    await sim.advance(0);
  };
  return { sim, core, logs, online, beat, step: (ms: number): void => void (stepped += ms) };
}

describe('a step of the system clock under a serving controller', () => {
  for (const steady of [false, true]) {
    const on = steady ? 'on the steady clock (as serve runs)' : 'on the system clock';
    // on the system clock the step looks like the controller's loop held for 10 min (link-sweep.ts
    // hearingAfter), which judges no link silent over it; the steady clock never sees the step at all
    it(`forward by 10 min ${on}: no heartbeating agent's link is closed as silent${steady ? '' : ' (taken for a held loop)'}`, async () => {
      const b = bed(steady);
      const agents = [await b.online('xen1'), await b.online('xen2'), await b.online('xen3')];
      await b.beat(agents, 3);
      b.step(10 * 60_000);
      await b.beat(agents, 5);
      expect(agents.map((a) => a.closed !== null)).toEqual([false, false, false]);
      expect(b.core.hosts().hosts.map((h) => h.reachable)).toEqual([true, true, true]);
      expect(b.logs.filter((l) => l['event'] === 'loop-held')).toHaveLength(steady ? 0 : 1);
    });

    it(`back by 10 min ${on}: a Dom0 gone silent is ${steady ? 'unreachable after staleAfter, its answers stale' : 'still reachable 5 min later'}`, async () => {
      const b = bed(steady);
      const agent = await b.online('xen1');
      await b.beat([agent], 1);
      b.step(-10 * 60_000);
      // the Dom0 dies: no close frame, no more heartbeats
      await b.sim.advance(5 * 60_000);
      const h = b.core.hosts().hosts[0];
      expect(h?.reachable).toBe(!steady);
      if (steady) expect(h?.ageMs).toBeGreaterThanOrEqual(5 * 60_000 - 10_000);
    });
  }

  it('on the steady clock, an operator migrate in flight over a forward step goes on to its end', async () => {
    const b = bed(true);
    const xen1 = await b.online('xen1');
    const xen2 = await b.online('xen2');
    xen2.onCommand((c) => xen2.progress(c.commandId, 'migrating web-xen2 from xen2 to xen1'));
    const sink = recordingSink();
    expect(b.core.command({ op: 'migrate', name: 'web-xen2', target: 'xen1' }, { name: 'admin' }, sink).ok).toBe(true);
    await b.beat([xen1, xen2], 3);
    b.step(5 * 60_000);
    await b.beat([xen1, xen2], 5);
    expect([xen1.closed, xen2.closed, sink.outcome]).toEqual([null, null, null]);
  });

  it("serve's log line says what the step does and how to take the new time", () => {
    expect(clockStepText(600_000)).toBe(
      "the system clock stepped forward by 600.0 s: agent silences, answer ages and alert times go on being measured on the controller's own steady time, " +
        'which meets the system clock again within 33.3 h (0.5 % of the time); until then the times it shows differ from the system clock by up to that step; ' +
        'restarting xenherd-controller takes the system time at once',
    );
    expect(clockStepText(-2_000)).toMatch(/^the system clock stepped back by 2\.0 s: .* within 7 min /);
  });
});
