import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok } from '../../shared/result.js';
import { AGENT_LINK_PROTOCOL_VERSION, AgentMessageSchema, type AgentMessage, type ControllerMessage } from '../../shared/protocol/agent-link.js';
import { startAgentOnSim, TEST_TIMERS, type SimAgent } from '../harness/agent-on-sim.js';
import { startSim, type Sim } from '../sim/sim.js';
import { count, deepArrayText, deepObjectText, hostileValue, mutatedJsonDeep, mutatedText, reportCounts, runs } from './fuzz-kit.js';
import { handLink, type HandLink } from './hand-link.js';
import { pairFleet } from '../harness/pair-fleet.js';
import { onClock, until } from '../helpers/until.js';

// The agent's side of the agent link (agent/run/link-runner.ts parsing, agent/core/link.ts and
// the command handling behind it), on a simulated Dom0 in process: a controller that sends
// random JSON, mutated welcome / fleet / command / error messages, deep nesting, huge frames and
// other protocol versions. The agent reads a message or closes the link on it with a logged
// reason; it never sends anything outside the protocol; it answers its control socket all along
// and takes a clean link again afterwards.

reportCounts('agent-link (agent side)');

const FLEET = pairFleet({ optionLine: false, memMiB: 1024, vcpus: 1, more: 'domu db1 mem=1024 vcpus=1 home=xen1 peer=xen2 drbd=r2 running=no\ndomu app1 mem=1024 vcpus=1 home=xen2 peer=xen1 drbd=r3 running=xen2\n' });

const WELCOME: ControllerMessage = { type: 'welcome', protocol: AGENT_LINK_PROTOCOL_VERSION, heartbeatMs: 5_000, staleAfterMs: 15_000 };
const CONTROLLER_MESSAGES: unknown[] = [
  WELCOME,
  { type: 'fleet', at: 1000, runningOn: { web1: ['xen1'], db1: ['xen2', 'xen9'], app1: [] } },
  { type: 'error', code: 'XH_ERR_AUTH', message: 'go away' },
  { type: 'command', commandId: 'cmd-1', by: 'ctl:admin', op: 'inspect', name: 'web1' },
  { type: 'command', commandId: 'cmd-2', by: 'ctl:admin', op: 'maintenance', state: 'draining', operationId: 'op-1', owner: 'ctl', from: ['online'], leaseMs: 60_000 },
  { type: 'command', commandId: 'cmd-3', by: 'ctl:admin', op: 'maintenance', state: 'online', operationId: 'op-1', owner: 'ctl', from: ['draining', 'maintenance', 'online', 'restoring'], leaseMs: 0 },
  { type: 'command', commandId: 'cmd-4', by: 'ctl:admin', op: 'migrate', name: 'web1', operationId: 'op-2', target: 'xen2', reason: 'manual' },
  { type: 'command', commandId: 'cmd-5', by: 'ctl:admin', op: 'start', name: 'db1', operationId: 'op-3', from: 'xen2' },
];

const frame: fc.Arbitrary<string> = fc.oneof(
  { weight: 2, arbitrary: hostileValue.map((v) => JSON.stringify(v) ?? 'undefined') },
  { weight: 5, arbitrary: fc.constantFrom(...CONTROLLER_MESSAGES).chain(mutatedJsonDeep).map((v) => JSON.stringify(v) ?? '') },
  { weight: 2, arbitrary: fc.constantFrom(...CONTROLLER_MESSAGES).chain((m) => mutatedText(JSON.stringify(m))) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      deepArrayText(20_000),
      deepObjectText(20_000),
      JSON.stringify({ ...WELCOME, protocol: 2 }),
      JSON.stringify({ ...WELCOME, protocol: 0, extra: 1 }),
      JSON.stringify({ type: 'fleet', at: 1, runningOn: Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`vm${i}`, ['xen2']])) }),
      JSON.stringify({ type: 'command', commandId: 'x'.repeat(101), by: 'a', op: 'inspect', name: 'web1' }),
    ),
  },
);

describe('agent link, agent side: every controller frame is read or the link closed with a reason', () => {
  let sim: Sim;
  let agent: SimAgent;
  const links: HandLink[] = [];
  beforeAll(async () => {
    sim = await startSim({ fleet: FLEET, clock: 'deterministic' });
    const connectController = async () => {
      const h = handLink('memory:controller');
      links.push(h);
      return ok(h.link);
    };
    agent = startAgentOnSim(sim, 'xen1', { ...TEST_TIMERS, controller: { url: 'wss://controller.test:7443', token: 'xh1.000000000000.testtokentesttokentesttoken' } }, 7, undefined, { connectController });
  });
  afterAll(async () => {
    agent.core.abandon();
    await sim.stop();
  });

  const sentBy = (h: HandLink): AgentMessage[] => h.sent.map((f) => AgentMessageSchema.parse(JSON.parse(f)));
  /** a fresh link, hello received, welcome sent, snapshot received */
  const fresh = async (): Promise<HandLink> => {
    const known = links.length;
    await until(() => links.length > known && (links.at(-1) as HandLink).sent.length > 0, 'the agent connects and says hello', onClock(sim, 60_000, 100));
    const h = links.at(-1) as HandLink;
    expect(sentBy(h)[0]?.type).toBe('hello');
    h.deliver(JSON.stringify(WELCOME));
    await until(() => sentBy(h).some((m) => m.type === 'snapshot'), 'the snapshot after welcome', onClock(sim, 60_000, 100));
    // the fleet view a working controller sends every heartbeat: the agent forgets its failed
    // links then, so the next input's link comes after the shortest backoff
    h.deliver(JSON.stringify({ type: 'fleet', at: sim.clock.now(), runningOn: {} }));
    await sim.advance(0);
    return h;
  };

  it('random, mutated, deep, huge and other-version frames from the controller', async () => {
    let h = await fresh();
    await fc.assert(
      fc.asyncProperty(fc.array(frame, { minLength: 1, maxLength: 3 }), async (frames) => {
        count('controller frames');
        if (h.closed !== null) h = await fresh();
        const logsBefore = agent.logs.length;
        for (const f of frames) h.deliver(f);
        await sim.advance(200);
        sentBy(h);
        if (h.closed !== null && h.closed.code === 1002) {
          expect(agent.logs.slice(logsBefore).some((l) => /a message this agent cannot read/.test(l.msg)), 'the agent logs why it closed').toBe(true);
        }
        const status = await agent.control({ op: 'status' });
        expect(status.ok && status.status?.host).toBe('xen1');
        // a link the agent kept: end it from our side, so the next input starts on a fresh one
        if (h.closed === null) h.drop(1000, 'next input');
      }),
      runs(150),
    );
    const last = await fresh();
    await until(() => agent.logs.some((l) => l.msg === 'controller link up: reporting this host'), 'the link up', onClock(sim, 60_000, 100));
    expect(last.closed).toBeNull();
    for (const l of links) sentBy(l);
  }, 60_000);
});
