import { afterEach, describe, expect, it } from 'vitest';
import type { JobEvent } from '../../shared/protocol/ctl-jobs.js';
import { DEFAULT_JOB_SETTINGS } from '../../controller/jobs/settings.js';
import { runsOn, type Fleet } from '../harness/fleet.js';
import { bothOnTheStandby, hears } from './standby-drain-fleet.js';

// A primary controller dies, a drain runs on the standby, and the primary comes back before it
// ends, reachable from both Dom0s this time. The drain's target holds no lease and runs no command
// of it (the source sends), so only the standby's word that it is moving domUs there keeps it: it
// went back to the primary mid-drain, and the standby's job waited for an arrival report it could
// no longer get, up to the settle timeout (10 min). Two controller cores and both agents in
// process, on the simulator's clock.

let fleet: Fleet | undefined;
afterEach(async () => {
  await fleet?.stop();
  fleet = undefined;
});

describe('failback of a drain target while the standby drains toward it', () => {
  it('xen2 stays on the standby while moves toward it run, the drain ends without the settle timeout, then xen2 goes back', async () => {
    const f = await bothOnTheStandby((started) => (fleet = started));

    const events: JobEvent[] = [];
    const began = f.sim.clock.now();
    const started = f.standby!.core.hub.start({ kind: 'drain', host: 'xen1', maxParallel: 1, coldFallback: false, allowPartial: false, timeoutMs: null }, 'op', (e) => void events.push(e));
    if (!started.ok) throw new Error(started.error.message);
    await f.until(() => f.sim.state().migrations.length > 0, 'the first copy began', 60_000, 100);
    f.controller!.restart();
    const back = f.sim.clock.now();

    const end = () => events.find((e): e is Extract<JobEvent, { type: 'end' }> => e.type === 'end');
    await f.until(() => end() !== undefined, 'the drain ends', 2 * DEFAULT_JOB_SETTINGS.settleTimeoutMs, 100);
    const ended = f.sim.clock.now();
    expect(end(), JSON.stringify(events.filter((e) => e.type !== 'move' || e.phase !== 'progress').slice(-6))).toMatchObject({ ok: true });
    // the primary answered at least one of xen2's checks (every 30 to 90 s) while the drain ran
    expect(ended - back).toBeGreaterThan(90_000);
    // three copies of 12 GiB at 256 MiB/s, not a wait for reports up to the settle timeout
    expect(ended - began).toBeLessThan(DEFAULT_JOB_SETTINGS.settleTimeoutMs / 2);
    expect(runsOn(f.sim, 'web1')).toEqual(['xen2']);
    expect(runsOn(f.sim, 'web2')).toEqual(['xen2']);
    expect(runsOn(f.sim, 'web3')).toEqual(['xen2']);
    const xen2 = () => f.agent('xen2').logs.map((l) => l.msg).join('\n');
    expect(xen2()).toMatch(/the primary controller answers again; staying on this standby while it is moving web\d here, then leaving/);

    // the drain ended: xen2 goes back within seconds (the linger after the last move, then a recheck)
    await f.until(() => hears(f, 'controller', 'xen2'), 'xen2 reports to the primary again', 30_000, 100);
    expect(f.sim.clock.now() - ended).toBeLessThan(20_000);
    expect(xen2()).toMatch(/leaving the standby for it now that the standby's work here ended \((it is moving web\d here|its last move here ended)/);
    expect(f.sim.violations).toEqual([]);
  }, 60_000);
});
