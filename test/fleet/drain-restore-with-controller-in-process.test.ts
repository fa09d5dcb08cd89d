import { afterEach, describe, expect, it } from 'vitest';
import type { JobEvent, JobRequest } from '../../shared/protocol/ctl-jobs.js';
import { runsOn, startFleet, type Fleet } from '../harness/fleet.js';
import { DB1_ON_XEN2, pairFleet } from '../harness/pair-fleet.js';
import { agentsReporting } from './pair-with-controller.js';

// The controller core's drain and restore jobs driving real agent cores: the agents' side of
// `maintenance`, `migrate` (reasons drain and restore), `inspect` and the cold fallback's
// `shutdown` and `start`, as the controller's jobs use them. In process, one deterministic clock.

const FLEET = pairFleet({ connectDelay: 300, more: DB1_ON_XEN2 });

let fleet: Fleet;
afterEach(async () => fleet?.stop());

async function online(): Promise<Fleet> {
  fleet = await startFleet(FLEET, { controller: true });
  return agentsReporting(fleet);
}

async function job(f: Fleet, req: JobRequest, maxMs = 600_000): Promise<{ events: JobEvent[]; end: Extract<JobEvent, { type: 'end' }> }> {
  const events: JobEvent[] = [];
  const started = f.controller!.core.hub.start(req, 'test', (e) => void events.push(e));
  if (!started.ok) throw new Error(started.error.message);
  await f.until(() => events.some((e) => e.type === 'end'), `${req.kind} ends`, maxMs, 100);
  return { events, end: events.find((e): e is Extract<JobEvent, { type: 'end' }> => e.type === 'end')! };
}

const flagOf = (f: Fleet, host: string) => f.agent(host).core.current.maintenance;

describe('drain and restore jobs against the agents', () => {
  it('drains xen1 into maintenance, then restores it: web1 leaves and comes home, the flag follows', async () => {
    const f = await online();
    const drain = await job(f, { kind: 'drain', host: 'xen1', maxParallel: null, coldFallback: false, allowPartial: false, timeoutMs: null });
    expect(drain.end, JSON.stringify(drain.events.slice(-6))).toMatchObject({ ok: true });
    expect(runsOn(f.sim, 'web1')).toEqual(['xen2']);
    expect(flagOf(f, 'xen1')).toMatchObject({ state: 'maintenance' });
    expect(f.agent('xen1').logs.some((l) => /controller command migrate web1 done/.test(l.msg))).toBe(true);

    const restore = await job(f, { kind: 'restore', host: 'xen1', timeoutMs: null });
    expect(restore.end, JSON.stringify(restore.events.slice(-6))).toMatchObject({ ok: true });
    expect(runsOn(f.sim, 'web1')).toEqual(['xen1']);
    expect(flagOf(f, 'xen1')).toMatchObject({ state: 'online' });
    expect(f.sim.violations).toEqual([]);
  });

  it('a drain whose live migrations all fail moves web1 cold', async () => {
    const f = await online();
    // every live attempt fails before anything moved
    f.sim.toolFault('xen1', 'xl', { kind: 'garbage', text: 'libxl: error: libxl_stream_write.c: cannot send to the target\n', exitCode: 1 }, { argvPrefix: ['migrate'] });
    const drain = await job(f, { kind: 'drain', host: 'xen1', maxParallel: null, coldFallback: true, allowPartial: false, timeoutMs: null });
    expect(drain.end, JSON.stringify(drain.events.filter((e) => e.type !== 'move' || e.phase !== 'progress').slice(-8))).toMatchObject({ ok: true });
    expect(runsOn(f.sim, 'web1')).toEqual(['xen2']);
    expect(f.sim.state().drbd['r1']?.replicas['xen2']?.role).toBe('Primary');
    expect(drain.events.some((e) => e.type === 'move' && e.phase === 'cold')).toBe(true);
  });
});
