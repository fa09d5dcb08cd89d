import { afterEach, describe, expect, it } from 'vitest';
import type { JobEvent, JobRequest } from '../../shared/protocol/ctl-jobs.js';
import { runsOn, startFleet, type Fleet } from '../harness/fleet.js';

// A maintenance day on a fleet of the size an operator runs, in process: 20 Dom0s with 10 domUs
// each, each Dom0 the DRBD peer of the one before it, and three of them drained and restored in
// turn by the controller's jobs. Every commit of the simulator reaches every Dom0's events2
// watcher and /proc/drbd, so this is the size at which a simulator paying Dom0s times resources
// per commit shows.

const DOM0S = 20;
const DOMUS = 10;
const dom0 = (i: number): string => `xen${String(i).padStart(2, '0')}`;
const FLEET = [
  'option bandwidth=1024 connect-delay=300',
  ...Array.from({ length: DOM0S }, (_, i) => `host ${dom0(i)} mem=65536 cpus=16 toolstack=xl xen=4.17.7 drbd=8.4 migrate-tab=yes`),
  ...Array.from({ length: DOM0S * DOMUS }, (_, k) => {
    const i = Math.floor(k / DOMUS);
    return `domu d${i}x${k % DOMUS} mem=1024 vcpus=1 home=${dom0(i)} peer=${dom0((i + 1) % DOM0S)} drbd=r${i}x${k % DOMUS} running=${dom0(i)}`;
  }),
].join('\n');
const domusOf = (i: number): string[] => Array.from({ length: DOMUS }, (_, j) => `d${i}x${j}`);

let fleet: Fleet | undefined;
afterEach(async () => fleet?.stop());

async function job(f: Fleet, req: Extract<JobRequest, { host: string }>): Promise<{ events: JobEvent[]; end: Extract<JobEvent, { type: 'end' }> }> {
  const events: JobEvent[] = [];
  const started = f.controller!.core.hub.start(req, 'test', (e) => void events.push(e));
  if (!started.ok) throw new Error(started.error.message);
  await f.until(() => events.some((e) => e.type === 'end'), `${req.kind} of ${req.host} ends`, 600_000, 100);
  return { events, end: events.find((e): e is Extract<JobEvent, { type: 'end' }> => e.type === 'end')! };
}

describe(`a maintenance day on ${DOM0S} Dom0s with ${DOMUS} domUs each, in process`, () => {
  it('drains and restores three Dom0s in turn: each one\'s domUs go to its peer and come home, nothing else moves', async () => {
    const f = (fleet = await startFleet(FLEET, { controller: true }));
    for (let i = 0; i < DOM0S; i++) f.startAgent(dom0(i));
    const core = f.controller!.core;
    await f.until(() => core.hosts().hosts.filter((h) => h.reported && h.reachable).length === DOM0S, 'every agent reporting', 120_000, 100);
    for (const i of [0, 7, 13]) {
      const drain = await job(f, { kind: 'drain', host: dom0(i), maxParallel: null, coldFallback: false, allowPartial: false, timeoutMs: null });
      expect(drain.end, JSON.stringify(drain.events.slice(-4))).toMatchObject({ ok: true });
      for (const d of domusOf(i)) expect(runsOn(f.sim, d)).toEqual([dom0(i + 1)]);
      expect(f.agent(dom0(i)).core.current.maintenance).toMatchObject({ state: 'maintenance' });
      const restore = await job(f, { kind: 'restore', host: dom0(i), timeoutMs: null });
      expect(restore.end, JSON.stringify(restore.events.slice(-4))).toMatchObject({ ok: true });
      expect(f.agent(dom0(i)).core.current.maintenance).toMatchObject({ state: 'online' });
    }
    for (let i = 0; i < DOM0S; i++) for (const d of domusOf(i)) expect(runsOn(f.sim, d)).toEqual([dom0(i)]);
    expect(f.sim.violations).toEqual([]);
  }, 300_000);
});
