import { afterEach, describe, expect, it } from 'vitest';
import { CLOSE, type Link } from '../../../shared/link/link.js';
import { AGENT_LINK_PROTOCOL_VERSION } from '../../../shared/protocol/agent-link.js';
import { ok } from '../../../shared/result.js';
import { startAgentOnSim, TEST_TIMERS, type SimAgent } from '../../harness/agent-on-sim.js';
import { startSimController, type SimController } from '../../harness/controller-on-sim.js';
import { scriptedController } from '../../harness/scripted-controller.js';
import { startSim, type Sim } from '../../sim/sim.js';
import { onClock, until } from '../../helpers/until.js';

// A controller that finds an agent's delta out of step with the last report closes the link with
// CLOSE.resync: the agent's next link starts with a snapshot, which mends it. The agent dials again
// at its usual pace and says why at warn, never "refused": nothing waits on an operator.
const FLEET = `host xen1 mem=8192 cpus=2 toolstack=xl xen=4.17.7 drbd=8.4
domu vm1 mem=512 vcpus=1 home=xen1 running=xen1
domu vm2 mem=512 vcpus=1 home=xen1 running=xen1
domu vm3 mem=512 vcpus=1 home=xen1 running=xen1
domu vm4 mem=512 vcpus=1 home=xen1 running=xen1
`;
const CONFIG = { ...TEST_TIMERS, controller: { url: 'wss://controller.test:7443', token: 'xh1.000000000000.testtokentesttokentesttoken' } };
const REASON = 'a delta out of step with the last report: the rows make 3 rows, the message says 2; a new link starts with a snapshot';

let sim: Sim | null = null;
let agent: SimAgent | null = null;
let controller: SimController | null = null;
afterEach(async () => {
  await agent?.core.stop();
  controller?.close();
  await sim?.stop();
  sim = null;
  agent = null;
  controller = null;
});

/** A controller that welcomes each link and, at its snapshot, sends the fleet view and then closes it with CODE. */
const closingAfterSnapshot = (s: Sim, code: number, reason: string) =>
  scriptedController(s.clock, (type, send, _m, close) => {
    if (type === 'hello') send({ type: 'welcome', protocol: AGENT_LINK_PROTOCOL_VERSION, heartbeatMs: 1_000, staleAfterMs: 3_000 });
    if (type !== 'snapshot') return;
    send({ type: 'fleet', at: s.clock.now(), runningOn: {} });
    close(code, reason);
  });

describe('a link closed for a new snapshot (CLOSE.resync)', () => {
  it('is dialled again at the usual pace, said at warn with the reason, and is no refusal in the log or the status', async () => {
    const s = await startSim({ fleet: FLEET });
    sim = s;
    const ctl = closingAfterSnapshot(s, CLOSE.resync, REASON);
    const a = startAgentOnSim(s, 'xen1', CONFIG, 1, undefined, { connectController: ctl.connectController });
    agent = a;
    await until(() => ctl.dials[0]?.closed.length === 1, 'the first link closed', onClock(s, 60_000, 10));
    const status = await a.control({ op: 'status' });
    expect(JSON.stringify(status)).toMatch(/the controller asked for a new link, to start again with a snapshot \(a delta out of step/);
    // each link is up (its fleet view came) before it is closed: the usual pace is 0.5 to 1.5 s
    await s.advance(1_500);
    expect(ctl.dials.length).toBeGreaterThanOrEqual(2);
    const said = a.logs.filter((l) => String(l['msg']).startsWith(`controller link: the controller asked for a new link, to start again with a snapshot (${REASON}); trying again in`));
    expect(said.length).toBeGreaterThanOrEqual(1);
    expect(said[0]?.['level']).toBe(40);
    expect(JSON.stringify(a.logs)).not.toMatch(/refused/);
    expect(JSON.stringify(status)).not.toMatch(/refused/);
  });

  it('a 4xxx close this agent does not know (a newer controller) is retried at the same pace, not as a refusal', async () => {
    const s = await startSim({ fleet: FLEET });
    sim = s;
    const ctl = closingAfterSnapshot(s, 4099, 'a reason of a newer release');
    agent = startAgentOnSim(s, 'xen1', CONFIG, 1, undefined, { connectController: ctl.connectController });
    await until(() => ctl.dials[0]?.closed.length === 1, 'the first link closed', onClock(s, 60_000, 10));
    await s.advance(1_500);
    expect(ctl.dials.length).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(agent.logs)).toMatch(/controller link: closed \(4099: a reason of a newer release\); trying again in/);
    expect(JSON.stringify(agent.logs)).not.toMatch(/refused/);
  });
});

/** L, except that the first delta carrying changed rows once LOST is armed never reaches the controller. */
function losingOneRowsDelta(l: Link, lost: { armed: boolean; done: boolean }): Link {
  return {
    remote: l.remote,
    send: (text) => {
      const m = JSON.parse(text) as { type: string; rows?: unknown };
      if (lost.armed && !lost.done && m.type === 'delta' && m.rows !== undefined) {
        lost.done = true;
        return;
      }
      l.send(text);
    },
    close: (code, reason) => l.close(code, reason),
    onMessage: (h) => l.onMessage(h),
    onClose: (h) => l.onClose(h),
  };
}

describe('a delta out of step, between a real controller core and agent', () => {
  it('the controller closes for a new snapshot, the agent comes back at once with one, and the fleet view is mended', async () => {
    const s = await startSim({ fleet: FLEET });
    sim = s;
    const ctl = startSimController(s);
    controller = ctl;
    const dial = ctl.connectFor('xen1');
    const lost = { armed: false, done: false };
    let dials = 0;
    const a = startAgentOnSim(s, 'xen1', CONFIG, 1, undefined, {
      connectController: async (url) => {
        dials++;
        const r = await dial(url);
        return r.ok ? ok(losingOneRowsDelta(r.value, lost)) : r;
      },
    });
    agent = a;
    const held = (): string[] => {
      const d = ctl.core.domains('xen1');
      return d.ok ? d.value.domains.map((x) => x.name).sort() : [];
    };
    // the rows' own later changes (Xen's start time, read after the first report) come first
    const started = (): boolean => {
      const d = ctl.core.domains('xen1');
      return d.ok && d.value.domains.length === 4 && d.value.domains.every((x) => x.startedAt !== undefined);
    };
    await until(started, 'xen1 reported its four domUs with their start times', onClock(s, 60_000, 10));
    lost.armed = true;
    expect((await s.run('xen1', 'xl', ['destroy', 'vm4'])).exitCode).toBe(0);
    await until(() => lost.done, 'the delta for vm4 lost', onClock(s, 60_000, 10));
    expect(held()).toEqual(['vm1', 'vm2', 'vm3', 'vm4']);
    expect((await s.run('xen1', 'xl', ['destroy', 'vm3'])).exitCode).toBe(0);
    await until(() => ctl.logs.some((l) => String(l['reason']).startsWith('a delta out of step')), 'the controller finds the rows out of step', onClock(s, 60_000, 10));
    const closedAt = s.clock.now();
    await until(() => dials === 2 && held().join(' ') === 'vm1 vm2', 'a new link and its snapshot', onClock(s, 60_000, 10));
    // the controller's reconnect spread for one enrolled Dom0 is its least, 1.5 s
    expect(s.clock.now() - closedAt).toBeLessThanOrEqual(2_000);
    expect(ctl.logs.filter((l) => l['event'] === 'agent-refused')).toEqual([]);
    expect(ctl.logs.filter((l) => l['event'] === 'agent-resync').map((l) => l['closeCode'])).toEqual([CLOSE.resync]);
    expect(JSON.stringify(a.logs)).not.toMatch(/refused/);
    expect(a.logs.some((l) => l['level'] === 40 && /the controller asked for a new link, to start again with a snapshot \(a delta out of step/.test(String(l['msg'])))).toBe(true);
  });
});
