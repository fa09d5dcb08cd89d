import { afterEach, describe, expect, it } from 'vitest';
import type { JobEvent } from '../../shared/protocol/ctl-jobs.js';
import { runsOn, startFleet, type Fleet } from '../harness/fleet.js';

// A primary controller dies, a drain runs on the standby, and the primary comes back before it
// ends: the drained Dom0's agent stays on the standby until the drain is done with it, then goes
// back. Leaving at the primary's first answer cut the drain off mid-move: the standby's job lost
// its command's result and the Dom0's reports, and its lease locked the host against the primary.
// Two controller cores and both agents in process, on the simulator's clock.
const FLEET = `
option bandwidth=256 connect-delay=300
host xen1 mem=65536 cpus=8 toolstack=xl xen=4.17.7 drbd=9 migrate-tab=yes
host xen2 mem=65536 cpus=8 toolstack=xl xen=4.17.7 drbd=9 migrate-tab=yes
domu web1 mem=12288 vcpus=2 home=xen1 peer=xen2 drbd=r1 running=xen1
domu web2 mem=12288 vcpus=2 home=xen1 peer=xen2 drbd=r2 running=xen1
domu web3 mem=12288 vcpus=2 home=xen1 peer=xen2 drbd=r3 running=xen1
`;
const enrolled = () => new Set(['xen1', 'xen2']);

let fleet: Fleet | undefined;
afterEach(async () => {
  await fleet?.stop();
  fleet = undefined;
});

const hears = (f: Fleet, which: 'controller' | 'standby', host: string): boolean =>
  f[which]!.core.hosts().hosts.some((h) => h.host === host && h.reported && h.reachable);

describe('failback while the standby drains a Dom0', () => {
  it('xen1 stays on the standby until its drain ends, then goes back to the primary', async () => {
    const f = await startFleet(FLEET, { controller: { identity: 'xenherd-controller@ctl1:7443', enrolled }, standby: { identity: 'xenherd-controller@ctl2:7443', enrolled } });
    fleet = f;
    for (const h of ['xen1', 'xen2']) f.startAgent(h);
    await f.until(() => hears(f, 'controller', 'xen1') && hears(f, 'controller', 'xen2'), 'both report to the primary');
    f.controller!.crash();
    await f.until(() => hears(f, 'standby', 'xen1') && hears(f, 'standby', 'xen2'), 'both report to the standby', 120_000, 100);

    const events: JobEvent[] = [];
    const started = f.standby!.core.hub.start({ kind: 'drain', host: 'xen1', maxParallel: 1, coldFallback: false, allowPartial: false, timeoutMs: null }, 'op', (e) => void events.push(e));
    if (!started.ok) throw new Error(started.error.message);
    await f.until(() => f.sim.state().migrations.length > 0, 'the first copy began', 60_000, 100);
    f.controller!.restart();
    // xen2, the drain's target, holds no lease and runs no command of it: what keeps a target on
    // the standby is not this test's matter, so it cannot reach the primary here
    f.controller!.partition('xen2', true);
    const back = f.sim.clock.now();

    const end = () => events.find((e): e is Extract<JobEvent, { type: 'end' }> => e.type === 'end');
    await f.until(() => end() !== undefined, 'the drain ends', 300_000, 100);
    expect(end(), JSON.stringify(events.filter((e) => e.type !== 'move' || e.phase !== 'progress').slice(-6))).toMatchObject({ ok: true });
    // checks come every 30 to 90 s: the primary answered at least one of xen1's before the drain ended
    expect(f.sim.clock.now() - back).toBeGreaterThan(90_000);
    expect(runsOn(f.sim, 'web1')).toEqual(['xen2']);
    expect(runsOn(f.sim, 'web3')).toEqual(['xen2']);
    expect(f.agent('xen1').core.current.maintenance).toMatchObject({ state: 'maintenance', owner: 'xenherd-controller@ctl2:7443' });
    const xen1 = () => f.agent('xen1').logs.map((l) => l.msg).join('\n');
    expect(xen1()).toMatch(/the primary controller answers again; staying on this standby while it holds this host draining \(operation [^)]+\), its lease \d+ s more/);

    // the drain ended: xen1 goes back within a recheck, saying why it waited
    await f.until(() => hears(f, 'controller', 'xen1'), 'xen1 reports to the primary again', 20_000, 100);
    expect(xen1()).toMatch(/leaving the standby for it now that the standby's work here ended \(it holds this host draining/);
    expect(f.sim.violations).toEqual([]);
  });
});
