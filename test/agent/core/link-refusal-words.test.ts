import { describe, expect, it } from 'vitest';
import { CLOSE } from '../../../shared/link/link.js';
import { err } from '../../../shared/result.js';
import { startAgentOnSim, TEST_TIMERS, type SimAgent } from '../../harness/agent-on-sim.js';
import { LINKED_CONFIG, simForTest, XEN1_ALONE } from '../../harness/linked-agent.js';
import { scriptedController } from '../../harness/scripted-controller.js';
import type { Sim } from '../../sim/sim.js';

// What the agent says and how long it waits when the controller will not take it, or asks it to
// wait: a refusal's words reach the agent's log whatever code they carry (a newer controller's
// included), and a Retry-After is the least wait before the next dial.
/** pino's number for an error line */
const ERROR = 50;
const SKEW = 'a message that is not in the protocol of this controller: the agent is version 99.0.0, this controller version 1.0.0: upgrade the controller first (controllers accept older agents, not newer ones) (state: Unrecognized key: "cpu")';

/** An agent of xen1 whose controller answers its hello with `error` CODE and SKEW, then closes 1002. */
async function refusedWith(code: string): Promise<{ s: Sim; a: SimAgent }> {
  const { s, track } = await simForTest(XEN1_ALONE);
  const { connectController } = scriptedController(s.clock, (type, send, _m, close) => {
    if (type !== 'hello') return;
    send({ type: 'error', code, message: SKEW });
    close(1002, SKEW);
  });
  const a = track(startAgentOnSim(s, 'xen1', LINKED_CONFIG, 1, undefined, { connectController }));
  return { s, a };
}

describe("the controller's refusal in the agent's log", () => {
  it('is logged as an error in full, naming the versions and the fix', async () => {
    const { s, a } = await refusedWith('XH_ERR_PROTOCOL');
    await s.advance(0);
    expect(a.logs.filter((l) => l['level'] === ERROR && l['msg'] === `the controller refused this agent: ${SKEW}`)).toHaveLength(1);
  });

  it('with an error code this agent does not know (a newer controller): the words still reach the log', async () => {
    const { s, a } = await refusedWith('XH_ERR_FROM_A_NEWER_RELEASE');
    await s.advance(0);
    const refused = a.logs.filter((l) => l['level'] === ERROR && String(l['msg']).startsWith(`the controller refused this agent: ${SKEW} (error code XH_ERR_FROM_A_NEWER_RELEASE`));
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ code: 'XH_ERR_INTERNAL' });
    expect(JSON.stringify(a.logs)).not.toMatch(/a message this agent cannot read/);
  });
});

describe('a Retry-After from the controller\'s address', () => {
  it('is the least wait before the next dial, and an unreachable controller is otherwise dialled at the usual pace', async () => {
    const { s, track } = await simForTest(XEN1_ALONE);
    let dials = 0;
    const connectController = async () => {
      dials++;
      return err({ kind: 'unreachable', message: "the controller's address answered HTTP 429: slow down", retryAfterMs: 120_000 });
    };
    const a = track(startAgentOnSim(s, 'xen1', LINKED_CONFIG, 1, undefined, { connectController }));
    await s.advance(1_000);
    expect(dials).toBe(1);
    await s.advance(118_000);
    expect(dials).toBe(1);
    await s.advance(2_000);
    expect(dials).toBe(2);
    expect(JSON.stringify(a.logs)).toMatch(/cannot connect \(unreachable\): the controller's address answered HTTP 429: slow down; trying again in 120\.0 s/);
  });
});

/** A controller that closes every link of the agent as its hello deadline does (error XH_ERR_TIMEOUT, close 4002); DIALS: the links opened. */
const helloLateController = (s: Sim) =>
  scriptedController(s.clock, (_type, send, _m, close) => {
    send({ type: 'error', code: 'XH_ERR_TIMEOUT', message: 'no hello and snapshot within 30 s' });
    close(CLOSE.helloLate, 'no hello and snapshot within 30 s');
  });

describe("the controller's hello deadline", () => {
  it('closes with a code the agent retries at the unreachable pace (waits up to 90 s), not a refusal\'s (up to 7.5 min)', async () => {
    const { s, track } = await simForTest(XEN1_ALONE);
    const late = helloLateController(s);
    track(startAgentOnSim(s, 'xen1', LINKED_CONFIG, 1, undefined, { connectController: late.connectController }));
    // waits at most 1.5+3+6+12+24+48 s, then at most 90 s each: 19 dials within 20 minutes at least;
    // a refusal's waits (at least 0.5+1+…+128 s, then 150 s each) allow at most 16
    await s.advance(20 * 60_000);
    expect(late.dials.length).toBeGreaterThanOrEqual(19);
  });

  it('is no refusal in the log or the status: a warning that the link is tried again', async () => {
    const { s, track } = await simForTest(XEN1_ALONE);
    const a = track(startAgentOnSim(s, 'xen1', LINKED_CONFIG, 1, undefined, { connectController: helloLateController(s).connectController }));
    await s.advance(0);
    expect(JSON.stringify(a.logs)).not.toMatch(/refused/);
    expect(a.logs.filter((l) => l['msg'] === 'the controller closed this link, to be tried again: no hello and snapshot within 30 s')).toHaveLength(1);
    const status = await a.control({ op: 'status' });
    expect(JSON.stringify(status)).toMatch(/the controller closed the link: no hello and snapshot within 30 s/);
    expect(JSON.stringify(status)).not.toMatch(/refused/);
  });
});
