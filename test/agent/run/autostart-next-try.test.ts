import { afterEach, describe, expect, it } from 'vitest';
import { renderAutostartStatus } from '../../../agent/cli/autostart-render.js';
import { AgentStatusSchema, type AgentStatus } from '../../../shared/protocol/agent-control.js';
import { TEST_TIMERS } from '../../harness/agent-on-sim.js';
import { creates, startFleet, type Fleet } from '../../harness/fleet.js';

// A deferred domU in `xenherd-agent autostart status` (human and --json): when the agent tries it
// next, from its own schedule (the fallback re-check), on the deterministic clock.

const FLEET = `
option bandwidth=1024 connect-delay=300
host xen1 mem=32768 cpus=8 toolstack=xl xen=4.17.7 drbd=8.4
host xen2 mem=32768 cpus=8 toolstack=xl xen=4.17.7 drbd=8.4
domu web1 mem=2048 vcpus=2 home=xen1 peer=xen2 drbd=r1 running=no
`;

let fleet: Fleet;
afterEach(async () => fleet?.stop());

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
    expect(first?.nextTry?.inSeconds).toBe(Math.ceil((at - now) / 1000));
    const line = renderAutostartStatus(await status(f)).split('\n').find((l) => l.startsWith('web1'));
    expect(line).toContain(`[next try in ${first?.nextTry?.inSeconds} s, at ${first?.nextTry?.at.slice(11, 19)} UTC, sooner if DRBD or the domains change]`);

    // the same moment as time goes by, counted down
    await f.advance(at - f.sim.clock.now() - 1_500);
    expect((await web1(f))?.nextTry).toEqual({ at: first?.nextTry?.at, inSeconds: 2 });
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
    expect(row({ at: '2026-12-05T03:12:40.000Z', inSeconds: 25 })).toContain('[next try in 25 s, at 03:12:40 UTC, sooner if DRBD or the domains change]');
    expect(row({ at: '2026-12-05T03:17:40.000Z', inSeconds: 325 })).toContain('[next try in 5 min, at 03:17:40 UTC,');
    expect(row({ at: '2026-12-06T03:17:40.000Z', inSeconds: 86_725 })).toContain('[next try in 24 h, at 2026-12-06 03:17:40 UTC,');
    expect(row({ at: '2026-12-05T03:12:40.000Z', inSeconds: 0 })).toContain('[next try now: the host is being read again]');
    // a daemon not yet restarted after an upgrade sends none
    expect(row(undefined)).not.toContain('next try');
  });
});
