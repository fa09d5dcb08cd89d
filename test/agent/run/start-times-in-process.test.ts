import { afterEach, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../../harness/fleet.js';

// Since when Xen has run each domain (libxl's start_time, agent/core/start-times.ts), read by a real
// agent core on the simulator's Dom0, on its clock.

let f: Fleet | undefined;
afterEach(async () => f?.stop());

const FLEET = ['host xen1 mem=32768 cpus=8 toolstack=xl xen=4.17.7 drbd=8.4', ...[1, 2, 3, 4, 5, 6].map((i) => `domu web${i} mem=512 vcpus=1 home=xen1 running=xen1`)].join('\n');
const known = (fleet: Fleet): number => [...fleet.agent('xen1').core.current.startTimes.values()].filter((t) => t.at !== null).length;
const xenstoreReads = (fleet: Fleet): number => fleet.sim.commandLog.filter((c) => c.host === 'xen1' && c.tool === 'xenstore-read').length;

// Each domU's /vm path, then its start_time, were two xenstore-reads per domU at READY: 120 tool
// runs on a Dom0 of 60 domUs. Now two for them all.
it("at READY every domU's start time is read in two xenstore-reads, not two per domU", async () => {
  f = await startFleet(FLEET);
  f.startAgent('xen1');
  await f.until(() => known(f as Fleet) === 6, 'the six start times');
  expect(xenstoreReads(f)).toBe(2);
});
