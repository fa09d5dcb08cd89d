import { describe, expect, it } from 'vitest';
import { AgentConfigSchema } from '../../../agent/config/schema.js';
import type { Effect } from '../../../agent/core/effects.js';
import type { AgentEvent, HostRead } from '../../../agent/core/events.js';
import { hostRead, POLLING, replay, startedAgent } from './host-read.js';

// The `ready` line's sources say what the agent has at READY: it named `drbdsetup events2` and
// `xenstore-watch` on a Dom0 with neither installed. The domain watch starts only at READY, so
// the line can say no more of it than that it is starting; a fall-back to polling is said when
// it happens ("xenstore-watch is unavailable here").

const EVENTS = AgentConfigSchema.parse({});

/** The `ready` line's fields after EVENTS, on an agent started with CONFIG. */
function readyLine(config: typeof EVENTS, read: HostRead, events: readonly AgentEvent[] = []): Readonly<Record<string, unknown>> {
  const { effects } = replay(startedAgent(config), [{ t: 'full-read', read }, ...events, { t: 'settled' }], (i) => i * 10);
  const ready = effects.flat().filter((e: Effect): e is Extract<Effect, { e: 'log' }> => e.e === 'log' && e.msg.startsWith('ready: '));
  expect(ready).toHaveLength(1);
  return ready[0]?.fields ?? {};
}

describe("the agent's ready line names the event sources it has", () => {
  it('DRBD tools missing: no DRBD source; the domain watch as starting, not as running', () => {
    expect(readyLine(EVENTS, hostRead()).sources).toEqual({
      drbd: 'none (DRBD tools not installed)',
      domains: 'xenstore-watch @introduceDomain @releaseDomain, starting (polling xl list instead if it cannot run)',
    });
  });

  it('the DRBD module not loaded: no DRBD source until it is', () => {
    const read = hostRead({ drbd: { availability: 'module-not-loaded', version: null, problem: null, polled: null } });
    expect(readyLine(EVENTS, read).sources).toMatchObject({ drbd: 'none until the DRBD module is loaded (re-checked on every full re-read)' });
  });

  it('whether DRBD is loaded not read: says so, not a watcher that never ran', () => {
    const read = hostRead({ drbd: { availability: 'unknown', version: null, problem: 'cannot read /proc/drbd: EACCES', polled: null } });
    expect(readyLine(EVENTS, read).sources).toMatchObject({ drbd: 'none yet: whether DRBD is loaded is read again at every full read' });
  });

  it('polling by the config: polling, and why', () => {
    expect(readyLine(POLLING, hostRead()).sources).toEqual({
      drbd: 'none (DRBD tools not installed)',
      domains: 'polling xl list every 10 s (events.domains is "poll" in the config)',
    });
  });
});
