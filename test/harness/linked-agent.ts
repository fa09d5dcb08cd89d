import { onTestFinished } from 'vitest';
import { AGENT_LINK_PROTOCOL_VERSION } from '../../shared/protocol/agent-link.js';
import { startSim, type Sim } from '../sim/sim.js';
import { TEST_TIMERS, type SimAgent } from './agent-on-sim.js';

/** A token of the shape the agent's config takes; nothing checks it but the test's own controller. */
export const TEST_TOKEN = 'xh1.000000000000.testtokentesttokentesttoken';

/** An agent's config with the tests' short timers, reporting to one controller. */
export const LINKED_CONFIG = { ...TEST_TIMERS, controller: { url: 'wss://controller.test:7443', token: TEST_TOKEN } };

/** xen1 alone, running vm1: an agent whose controller link is what the test looks at. */
export const XEN1_ALONE = `host xen1 mem=8192 cpus=2 toolstack=xl xen=4.17.7 drbd=8.4
domu vm1 mem=512 vcpus=1 home=xen1 running=xen1
`;

/** xen1 and xen2, vm1 running on its home xen1 and replicated with xen2 on r1. */
export const VM1_PAIR = `host xen1 mem=8192 cpus=2 toolstack=xl xen=4.17.7 drbd=8.4
host xen2 mem=8192 cpus=2 toolstack=xl xen=4.17.7 drbd=8.4
domu vm1 mem=512 vcpus=1 home=xen1 peer=xen2 drbd=r1 running=xen1
`;

/** A live controller's answer to hello, its heartbeat and staleness short as the tests' timers. */
export const WELCOME = { type: 'welcome', protocol: AGENT_LINK_PROTOCOL_VERSION, heartbeatMs: 1_000, staleAfterMs: 3_000 };

/**
 * The simulator on FLEET for one test, and TRACK, which stops an agent started on it: when the
 * test ends, every agent tracked is stopped, then the simulator, so that no timer of theirs runs
 * into the next test of the worker.
 */
export async function simForTest(fleet: string): Promise<{ s: Sim; track: (a: SimAgent) => SimAgent }> {
  const s = await startSim({ fleet });
  const agents: SimAgent[] = [];
  onTestFinished(async () => {
    for (const a of agents) await a.core.stop();
    await s.stop();
  });
  return { s, track: (a) => (agents.push(a), a) };
}
