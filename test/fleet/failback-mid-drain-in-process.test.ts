import { afterEach, describe, expect, it } from 'vitest';
import type { JobEvent } from '../../shared/protocol/ctl-jobs.js';
import { runsOn, type Fleet } from '../harness/fleet.js';
import { bothOnTheStandby, hears } from './standby-drain-fleet.js';

// A primary controller dies, a drain runs on the standby, and the primary comes back before it
// ends: the drained Dom0's agent stays on the standby until the drain is done with it, then goes
// back. Leaving at the primary's first answer cut the drain off mid-move: the standby's job lost
// its command's result and the Dom0's reports, and its lease locked the host against the primary.
// Two controller cores and both agents in process, on the simulator's clock.

let fleet: Fleet | undefined;
afterEach(async () => {
  await fleet?.stop();
  fleet = undefined;
});

describe('failback while the standby drains a Dom0', () => {
  it('xen1 stays on the standby until its drain ends, then goes back to the primary', async () => {
    const f = await bothOnTheStandby((started) => (fleet = started));

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
