import { describe, expect, it } from 'vitest';
import { startAgentOnSim, type SimAgent, type SimAgentWiring } from '../../harness/agent-on-sim.js';
import type { Sim } from '../../sim/sim.js';
import { LINKED_CONFIG, simForTest, VM1_PAIR, WELCOME } from '../../harness/linked-agent.js';
import { scriptedController, type ControllerScript, type Dial } from '../../harness/scripted-controller.js';

// A controller that misbehaves must not hold the agent or make it run a command twice. One that
// accepts the link and says nothing: no welcome within 30 s, or nothing heard for its staleAfter
// once up, closes the link and the agent dials again (the next URL, with a standby). A command
// before the welcome is a fault; an id that already ran on the link is refused.

/** An agent of xen1 whose every dial reaches a controller that does what ANSWER says to each message. */
async function agentDialling(answer: ControllerScript, wiring: Pick<SimAgentWiring, 'runCommand'> = {}): Promise<{ s: Sim; a: SimAgent; dials: Dial[] }> {
  const { s, track } = await simForTest(VM1_PAIR);
  const { connectController, dials } = scriptedController(s.clock, answer);
  const a = track(startAgentOnSim(s, 'xen1', LINKED_CONFIG, 1, undefined, { connectController, ...wiring }));
  return { s, a, dials };
}

describe('the agent gives up on a silent controller', () => {
  it('hello unanswered for 30 s: the link is closed and dialled again', async () => {
    const { s, a, dials } = await agentDialling(() => undefined);
    await s.advance(1_000);
    expect(dials).toHaveLength(1);
    expect(dials[0]?.heard).toEqual(['hello']);
    await s.advance(28_000);
    expect(dials[0]?.closed).toEqual([]);
    await s.advance(2_000);
    expect(dials[0]?.closed).toEqual([{ code: 1001, reason: 'controller silent' }]);
    expect(JSON.stringify(a.logs)).toMatch(/controller link: no answer to hello within 30 s, closing the link; trying again in/);
    await s.advance(2_000); // the first retry waits 0.5–1.5 s
    expect(dials).toHaveLength(2);
    expect(dials[1]?.heard).toEqual(['hello']);
  });

  it('welcome, then nothing for staleAfter: closed and dialled again', async () => {
    const { s, a, dials } = await agentDialling((type, send) => {
      if (type === 'hello') send(WELCOME);
    });
    await s.advance(1_000);
    expect(dials[0]?.heard.slice(0, 2)).toEqual(['hello', 'snapshot']);
    await s.advance(3_000);
    expect(dials[0]?.closed).toEqual([{ code: 1001, reason: 'controller silent' }]);
    expect(JSON.stringify(a.logs)).toMatch(/controller link: nothing heard for 3 s, closing the link/);
    await s.advance(2_000);
    expect(dials).toHaveLength(2);
  });

  it('a controller that keeps speaking keeps the link', async () => {
    const talking = await agentDialling((type, send) => {
      if (type === 'hello') send(WELCOME);
      // the fleet view every heartbeat, as the controller sends it
      if (type === 'heartbeat') send({ type: 'fleet', at: talking.s.clock.now(), runningOn: {} });
    });
    await talking.s.advance(60_000);
    expect(talking.dials).toHaveLength(1);
    expect(talking.dials[0]?.closed).toEqual([]);
  });
});

describe('a controller that faults on every link', () => {
  it('welcomes, then sends what the agent refuses: the redials back off, as for a link that never came up', async () => {
    const { s, dials } = await agentDialling((type, send) => {
      if (type === 'hello') send(WELCOME);
      if (type === 'snapshot') send({ type: 'command', commandId: 'x', op: 'frobnicate', name: 'vm1', by: 'ctl:test' });
    });
    // waits of 0.5-1.5 s, 1-3 s, 2-6 s, 4-12 s, 8-24 s: five redials take at least 15.5 s, at most 46.5 s
    await s.advance(15_000);
    expect(dials.length).toBeLessThanOrEqual(5);
    await s.advance(35_000);
    expect(dials.length).toBeGreaterThanOrEqual(5);
    expect(dials.every((d) => d.closed.length === 1 && d.closed[0]?.code === 1002)).toBe(true);
  });

  it('a controller that has sent its fleet view starts the backoff again from the start', async () => {
    const frob = { type: 'command', commandId: 'x', op: 'frobnicate', name: 'vm1', by: 'ctl:test' };
    let faultLater = false;
    const { s, a, dials } = await agentDialling((type, send) => {
      if (type === 'hello') send(WELCOME);
      // the first three links fault before any fleet view; the fourth speaks as a controller does
      if (type === 'snapshot' && dials.length <= 3) send(frob);
      if (type === 'heartbeat' && dials.length > 3) send({ type: 'fleet', at: s.clock.now(), runningOn: {} });
      if (type === 'heartbeat' && faultLater) {
        faultLater = false;
        send(frob);
      }
    });
    await s.advance(40_000);
    expect(dials).toHaveLength(4);
    faultLater = true;
    await s.advance(2_000);
    const losses = a.logs.flatMap((l) => (typeof l['failures'] === 'number' ? [l['failures']] : []));
    expect(losses).toEqual([1, 2, 3, 1]);
  });
});

describe('commands the agent refuses to run', () => {
  const inspect = (commandId: string) => ({ type: 'command', commandId, op: 'inspect', name: 'vm1', by: 'ctl:test' });

  it('a command before the welcome: not run, the link closed as a protocol fault', async () => {
    const { s, a, dials } = await agentDialling((type, send) => {
      if (type === 'hello') send(inspect('early-1'));
    });
    await s.advance(1_000);
    expect(dials[0]?.closed).toEqual([{ code: 1002, reason: 'command before welcome' }]);
    expect(dials[0]?.heard).toEqual(['hello']);
    expect(JSON.stringify(a.logs)).toMatch(/a command \(inspect, id early-1\) before the controller's welcome, closing the link/);
  });

  it('an id that already ran on this link: refused with a result, run once', async () => {
    const results: unknown[][] = [];
    let toAgent: (m: object) => void = () => undefined;
    const { s } = await agentDialling((type, send, m) => {
      toAgent = send;
      if (type === 'hello') send(WELCOME);
      if (type === 'heartbeat') send({ type: 'fleet', at: s.clock.now(), runningOn: {} });
      if (type === 'result') results.push([m['commandId'], m['ok'], m['code']]);
    });
    await s.advance(1_000);
    toAgent(inspect('dup-1'));
    await s.advance(500);
    toAgent(inspect('dup-1'));
    await s.advance(500);
    expect(results).toEqual([
      ['dup-1', true, null],
      ['dup-1', false, 'XH_ERR_REFUSED'],
    ]);
  });

  it('more than four child commands at once: the fifth is refused as locked, nothing spawned for it', async () => {
    const results: unknown[][] = [];
    let spawned = 0;
    let toAgent: (m: object) => void = () => undefined;
    const { s, a } = await agentDialling(
      (type, send, m) => {
        toAgent = send;
        if (type === 'hello') send(WELCOME);
        if (type === 'heartbeat') send({ type: 'fleet', at: s.clock.now(), runningOn: {} });
        if (type === 'result') results.push([m['commandId'], m['ok'], m['code']]);
      },
      // children that run until the test ends
      { runCommand: () => (spawned++, new Promise(() => undefined)) },
    );
    await s.advance(1_000);
    for (let i = 1; i <= 5; i++) toAgent({ type: 'command', commandId: `rev-${i}`, op: 'reverse', name: 'vm1', operationId: `op-${i}`, by: 'ctl:test' });
    await s.advance(500);
    expect(spawned).toBe(4);
    expect(results).toEqual([['rev-5', false, 'XH_ERR_LOCKED']]);
    expect(JSON.stringify(a.logs)).toMatch(/refusing command reverse vm1 \(by ctl:test, operation op-5\) from the controller: 4 migrate\/reverse\/shutdown\/start commands already run here/);
  });
});
