import { describe, expect, it } from 'vitest';
import { STAY_MS } from '../../../agent/core/link-urls.js';
import { startAgentOnSim, TEST_TIMERS, type SimAgent } from '../../harness/agent-on-sim.js';
import { simForTest, TEST_TOKEN, WELCOME, XEN1_ALONE } from '../../harness/linked-agent.js';
import { scriptedController, type Reachable } from '../../harness/scripted-controller.js';
import type { Sim } from '../../sim/sim.js';
import { err } from '../../../shared/result.js';

// An agent with a standby controller must stay on the primary through a restart of a few seconds,
// and come back to it after a real outage: a standby only knows the agents reporting to it, so a
// fleet split between the two leaves each controller blind to half of it. Each dial is told by the
// URL index the agent chose (0: the primary, 1: the standby), on the simulator's clock.
const CONFIG = { ...TEST_TIMERS, controller: { url: 'wss://ctl1.test:7443', standbyUrls: ['wss://ctl2.test:7443'], token: TEST_TOKEN } };

/** xen1's agent, its controllers speaking as a live one does (SILENT: the primary says nothing after its welcome), reachable as REACHABLE says. */
async function agentWith(reachable: Reachable, silent = false) {
  const { s, track } = await simForTest(XEN1_ALONE);
  const ctl = scriptedController(
    s.clock,
    (type, send) => {
      if (type === 'hello') send(WELCOME);
      if (type === 'heartbeat' && !(silent && ctl.dials.at(-1)?.url === 0)) send({ type: 'fleet', at: s.clock.now(), runningOn: {} });
    },
    reachable,
  );
  const a = track(startAgentOnSim(s, 'xen1', CONFIG, 1, undefined, { connectController: ctl.connectController, probePrimary: ctl.probePrimary }));
  await s.advance(2_000);
  expect(ctl.dials.map((d) => d.url)).toEqual([0]);
  return { s, a, ctl };
}

const logText = (a: SimAgent): string => JSON.stringify(a.logs);

describe('an agent with a standby controller', () => {
  it('rides out a primary restart of 3.5 s on the primary: its tries stay there, the standby is never dialled', async () => {
    let primaryDown = false;
    const { s, ctl } = await agentWith((url) => url !== 0 || !primaryDown);
    primaryDown = true;
    ctl.dials[0]?.end(1001, 'controller stopping');
    await s.advance(3_500);
    primaryDown = false;
    await s.advance(60_000);
    expect(ctl.dials.map((d) => d.url)).toEqual([0, 0]);
    expect(ctl.dials[1]?.closed).toEqual([]);
    expect(ctl.dials[1]?.heard.slice(0, 2)).toEqual(['hello', 'snapshot']);
  });

  it(`a primary gone for good: the standby is dialled ${STAY_MS / 1000} s after the first failed try, and the agent goes back once the primary answers`, async () => {
    let primaryDown = false;
    const { s, a, ctl } = await agentWith((url) => url !== 0 || !primaryDown);
    primaryDown = true;
    const dropped = s.clock.now();
    ctl.dials[0]?.end(1001, 'controller stopping');
    await s.advance(60_000);
    expect(ctl.dials.map((d) => d.url)).toEqual([0, 1]);
    // the first try after the drop waits 0.5 to 1.5 s (no reconnect spread in this welcome)
    const onStandby = (ctl.dials[1]?.at ?? 0) - dropped;
    expect(onStandby).toBeGreaterThanOrEqual(STAY_MS + 500);
    expect(onStandby).toBeLessThanOrEqual(STAY_MS + 1_500);
    // checked while down: the primary does not answer, the agent stays (no flapping)
    await s.advance(300_000);
    expect(ctl.probes.length).toBeGreaterThanOrEqual(3);
    expect(ctl.dials.map((d) => d.url)).toEqual([0, 1]);
    expect(ctl.dials[1]?.closed).toEqual([]);
    primaryDown = false;
    const back = s.clock.now();
    // checks come every 30 to 90 s
    await s.advance(91_000);
    expect(ctl.dials.map((d) => d.url)).toEqual([0, 1, 0]);
    expect(ctl.dials[1]?.closed).toEqual([{ code: 1001, reason: 'back to the primary controller' }]);
    expect(ctl.dials[2]?.at).toBeGreaterThan(back);
    expect(ctl.dials[2]?.heard.slice(0, 2)).toEqual(['hello', 'snapshot']);
    expect(logText(a)).toMatch(/the primary controller answers again, leaving the standby for it/);
    // on the primary, nothing checks any more
    const checks = ctl.probes.length;
    await s.advance(300_000);
    expect(ctl.probes.length).toBe(checks);
    expect(ctl.dials).toHaveLength(3);
  });

  it('a primary that falls silent is left for the standby at the next try, as for a hang', async () => {
    const { s, ctl } = await agentWith(() => true, true);
    await s.advance(3_000);
    expect(ctl.dials[0]?.closed).toEqual([{ code: 1001, reason: 'controller silent' }]);
    await s.advance(2_000);
    expect(ctl.dials.map((d) => d.url)).toEqual([0, 1]);
  });

  it('a standby refusing the token backs off on its own: the primary is tried at its own pace and dialled within 90 s of its return, and the refusal says the standby may lack tokens.json', async () => {
    const { s, track } = await simForTest(XEN1_ALONE);
    let primaryDown = true;
    const dialled: { url: number; at: number }[] = [];
    const ctl = scriptedController(s.clock, (type, send) => {
      if (type === 'hello') send(WELCOME);
      if (type === 'heartbeat') send({ type: 'fleet', at: s.clock.now(), runningOn: {} });
    }, () => true);
    const connectController = async (url: number) => {
      dialled.push({ url, at: s.clock.now() });
      if (url === 1) return err({ kind: 'refused', status: 401, code: 'XH_ERR_AUTH', message: 'token refused: enroll this host (xenherd-controller enroll HOST) and use the token it prints' });
      return primaryDown ? err({ kind: 'unreachable', message: 'connect ECONNREFUSED 192.0.2.7:7443' }) : ctl.connectController(url);
    };
    const a = track(startAgentOnSim(s, 'xen1', CONFIG, 1, undefined, { connectController }));
    await s.advance(30 * 60_000);
    // the refusals are the standby's alone: its tries spread out, the primary's do not
    const last = dialled.filter((d) => d.at > s.clock.now() - 10 * 60_000);
    expect(last.filter((d) => d.url === 1).length).toBeLessThanOrEqual(4);
    expect(last.filter((d) => d.url === 0).length).toBeGreaterThanOrEqual(6);
    expect(logText(a)).toMatch(/token refused: enroll this host .*; this URL is standby controller 1 of controller.standbyUrls, which may lack the newer tokens.json: copy \/etc\/xenherd\/state\/tokens.json from the primary to it and restart xenherd-controller there/);
    primaryDown = false;
    const back = s.clock.now();
    await s.advance(91_000);
    const up = ctl.dials.find((d) => d.url === 0);
    expect(up?.at).toBeGreaterThan(back);
    expect(up?.heard.slice(0, 2)).toEqual(['hello', 'snapshot']);
  });

  it("a primary answering 429 with a Retry-After: the standby is dialled at the usual pace, the primary again only after the wait", async () => {
    const { s, track } = await simForTest(XEN1_ALONE);
    const dialled: { url: number; at: number }[] = [];
    const connectController = async (url: number) => {
      dialled.push({ url, at: s.clock.now() });
      return url === 0
        ? err({ kind: 'unreachable', message: "the controller's address answered HTTP 429: slow down", retryAfterMs: 120_000 })
        : err({ kind: 'unreachable', message: 'connect ECONNREFUSED 192.0.2.8:7443' });
    };
    track(startAgentOnSim(s, 'xen1', CONFIG, 1, undefined, { connectController }));
    await s.advance(1_000);
    expect(dialled.map((d) => d.url)).toEqual([0]);
    const t0 = dialled[0]?.at ?? 0;
    // the first retry waits 0.5 to 1.5 s, and goes to the standby
    await s.advance(1_500);
    expect(dialled.map((d) => d.url)).toEqual([0, 1]);
    // the standby cannot be reached either: the primary's turn comes when its Retry-After ends, not before
    await s.advance(t0 + 119_000 - s.clock.now());
    expect(dialled.map((d) => d.url)).toEqual([0, 1]);
    await s.advance(3_000);
    expect(dialled.map((d) => d.url)).toEqual([0, 1, 0]);
    expect((dialled[2]?.at ?? 0) - t0).toBeGreaterThanOrEqual(120_000);
  });
});
