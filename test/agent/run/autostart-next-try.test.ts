import { afterEach, describe, expect, it } from 'vitest';
import { renderAutostartStatus } from '../../../agent/cli/autostart-render.js';
import { AgentStatusSchema, type AgentStatus } from '../../../shared/protocol/agent-control.js';
import { err } from '../../../shared/result.js';
import { startAgentOnSim, TEST_TIMERS, type SimAgent } from '../../harness/agent-on-sim.js';
import { startSim, type Sim } from '../../sim/sim.js';
import { creates, startFleet, type Fleet } from '../../harness/fleet.js';
import { pairFleet } from '../../harness/pair-fleet.js';

// A deferred domU in `xenherd-agent autostart status` (human and --json): when the agent tries it
// next, from its own schedule (the fallback re-check), on the deterministic clock.

const FLEET = pairFleet({ connectDelay: 300, migrateTab: [], running: 'no' });

let fleet: Fleet | undefined;
let sim: Sim | null = null;
let agent: SimAgent | null = null;
afterEach(async () => {
  await fleet?.stop();
  fleet = undefined;
  await agent?.core.stop();
  await sim?.stop();
  agent = null;
  sim = null;
});

async function status(f: Fleet): Promise<AgentStatus> {
  const r = await f.agent('xen1').control({ op: 'status' });
  if (!r.ok) throw new Error(r.error.message);
  return AgentStatusSchema.parse(r.status);
}

const web1 = async (f: Fleet) => (await status(f)).guarded.find((g) => g.name === 'web1');

describe('autostart status of a deferred domU says when the agent tries next', () => {
  it('names the re-check the agent armed (in seconds and as a time of day), keeps to it, and drops it once the domU is no longer deferred', async () => {
    fleet = await startFleet(FLEET);
    const f = fleet;
    f.sim.power('xen1', 'off');
    f.sim.power('xen1', 'on');
    f.sim.drbd('r1', 'disconnect');
    f.startAgent('xen1', TEST_TIMERS);
    await f.log('xen1', (l) => l.domu === 'web1' && l.reason === 'peer-not-connected', 'web1 deferred');
    const first = await web1(f);
    const now = f.sim.clock.now();
    const at = Date.parse(first?.nextTry?.at ?? '');
    // TEST_TIMERS: deferRecheckSeconds 30 ± 1
    expect(at - now).toBeGreaterThan(28_000);
    expect(at - now).toBeLessThanOrEqual(31_000);
    expect(first?.nextTry).toMatchObject({ kind: 're-check', inSeconds: Math.ceil((at - now) / 1000) });
    const line = renderAutostartStatus(await status(f)).split('\n').find((l) => l.startsWith('web1'));
    expect(line).toContain(`[next try in ${first?.nextTry?.inSeconds} s, at ${first?.nextTry?.at.slice(11, 19)} UTC, sooner if DRBD or the domains change]`);

    // the same moment as time goes by, counted down
    await f.advance(at - f.sim.clock.now() - 1_500);
    expect((await web1(f))?.nextTry).toEqual({ kind: 're-check', at: first?.nextTry?.at, inSeconds: 2 });
    // at that moment the agent reads the host again and decides: still deferred, the next re-check follows
    const reads = f.agent('xen1').core.current.fullRead.done;
    await f.until(() => f.agent('xen1').core.current.fullRead.done > reads, 're-check read');
    expect(f.sim.clock.now()).toBeGreaterThanOrEqual(at);
    await f.until(async () => Date.parse((await web1(f))?.nextTry?.at ?? '') > at, 'next re-check armed');

    f.sim.drbd('r1', 'connect');
    await f.until(() => creates(f.sim, 'xen1', 'web1') === 1, 'web1 started');
    await f.until(async () => (await web1(f))?.decision === 'running', 'web1 running');
    expect((await web1(f))?.nextTry).toBeNull();
  });
});

describe('before the first decisions, waiting for the controller', () => {
  it("says until when the first decisions wait for the controller's view, then the defer's re-check", async () => {
    const s = await startSim({ fleet: FLEET });
    sim = s;
    s.drbd('r1', 'disconnect');
    // a controller that never answers: the agent keeps trying, and the first decisions wait out their bound
    const connectController = async () => err({ kind: 'unreachable' as const, message: 'connect ECONNREFUSED 192.0.2.7:7443' });
    const t0 = s.clock.now();
    const a = startAgentOnSim(s, 'xen1', { ...TEST_TIMERS, controller: { url: 'wss://controller.test:7443', token: 'xh1.000000000000.testtokentesttokentesttoken' } }, 1, undefined, { connectController });
    agent = a;
    await s.advance(4_000);
    const st = await a.control({ op: 'status' });
    if (!st.ok || st.status === undefined) throw new Error(JSON.stringify(st));
    const w = st.status.guarded.find((g) => g.name === 'web1');
    expect(w).toMatchObject({ decision: 'unknown', detail: expect.stringContaining("wait for the controller's view of where domUs run"), nextTry: { kind: 'controller-view', at: new Date(t0 + 10_000).toISOString(), inSeconds: 6 } });
    expect(renderAutostartStatus(st.status)).toContain(`[decided in 6 s, at ${new Date(t0 + 10_000).toISOString().slice(11, 19)} UTC at the latest, sooner if the controller's view comes]`);

    await s.advance(7_000);
    const after = await a.control({ op: 'status' });
    if (!after.ok || after.status === undefined) throw new Error(JSON.stringify(after));
    expect(after.status.guarded.find((g) => g.name === 'web1')).toMatchObject({ decision: 'defer', reason: 'peer-not-connected', nextTry: { kind: 're-check' } });
  });
});

describe('the next try as a person reads it', () => {
  const base: AgentStatus = {
    host: 'xen1', pid: 1, startedAt: '2026-12-05T03:00:00.000Z', autostart: 'enabled', maintenance: false, toolstack: 'xl',
    sources: { drbd: 'drbdsetup events2', domains: 'xenstore-watch' }, drbd: 'ok', lastFullRead: '2026-12-05T03:12:15.000Z',
    guarded: [], holds: [], warnings: [],
  };
  const row = (nextTry: AgentStatus['guarded'][number]['nextTry']): string | undefined =>
    renderAutostartStatus({
      ...base,
      guarded: [{ name: 'web1', configPath: '/etc/xen/drbd-auto/web1.cfg', decision: 'defer', reason: 'peer-not-connected', detail: 'DRBD resource r1: the peer is not connected', since: '2026-12-05T03:10:00.000Z', splitBrainHazard: false, starting: false, lastStart: null, retryAt: null, nextTry }],
    }).split('\n').find((l) => l.startsWith('web1'));

  it('in seconds and minutes, with the time of day, the date too when it is far off; "now" while the re-check runs', () => {
    expect(row({ kind: 're-check', at: '2026-12-05T03:12:40.000Z', inSeconds: 25 })).toContain('[next try in 25 s, at 03:12:40 UTC, sooner if DRBD or the domains change]');
    expect(row({ kind: 're-check', at: '2026-12-05T03:17:40.000Z', inSeconds: 325 })).toContain('[next try in 5 min, at 03:17:40 UTC,');
    expect(row({ kind: 're-check', at: '2026-12-06T03:17:40.000Z', inSeconds: 86_725 })).toContain('[next try in 24 h, at 2026-12-06 03:17:40 UTC,');
    expect(row({ kind: 're-check', at: '2026-12-05T03:12:40.000Z', inSeconds: 0 })).toContain('[next try now: the host is being read again]');
    expect(row({ kind: 'controller-view', at: '2026-12-05T03:12:40.000Z', inSeconds: 7 })).toContain("[decided in 7 s, at 03:12:40 UTC at the latest, sooner if the controller's view comes]");
    expect(row({ kind: 'controller-view', at: '2026-12-05T03:12:40.000Z', inSeconds: 0 })).toContain('[deciding now, by the DRBD rules alone]');
    // a daemon not yet restarted after an upgrade sends none
    expect(row(undefined)).not.toContain('next try');
  });
});
