import { afterEach, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../../harness/fleet.js';

// Since when Xen has run each domain (libxl's start_time, agent/core/start-times.ts), read by a real
// agent core on the simulator's Dom0, on its clock.

let f: Fleet | undefined;
afterEach(async () => f?.stop());

const FLEET = ['host xen1 mem=32768 cpus=8 toolstack=xl xen=4.17.7 drbd=8.4', ...[1, 2, 3, 4, 5, 6].map((i) => `domu web${i} mem=512 vcpus=1 home=xen1 running=xen1`)].join('\n');
const known = (fleet: Fleet): number => [...fleet.agent('xen1').core.current.startTimes.values()].filter((t) => t.at !== null).length;
/** the xenstore-reads of start times, not those reading back this Dom0's naming (core/xenstore-names.ts) */
const startTimeRuns = (fleet: Fleet) => fleet.sim.commandLog.filter((c) => c.host === 'xen1' && c.tool === 'xenstore-read' && !(c.argv[0] ?? '').includes('/data/xenherd/'));
const xenstoreReads = (fleet: Fleet): number => startTimeRuns(fleet).length;
/** the read of every domU's /vm path, the first of a start time read's two, which the faults below hold */
const vmRead = (fleet: Fleet): string[] => [`/local/domain/${fleet.sim.state().domains.find((d) => d.name === 'web1')?.domid ?? -1}/vm`];

// Each domU's /vm path, then its start_time, were two xenstore-reads per domU at READY: 120 tool
// runs on a Dom0 of 60 domUs. Now two for them all.
it("at READY every domU's start time is read in two xenstore-reads, not two per domU", async () => {
  const fleet = await startFleet(FLEET);
  f = fleet;
  f.startAgent('xen1');
  await f.until(() => known(fleet) === 6, 'the six start times');
  expect(xenstoreReads(f)).toBe(2);
});

// A read that failed (xenstored busy) was never asked again: the domUs showed no start time
// until the agent restarted.
it('a read that failed is asked again on the clock: the start times come once xenstored answers', async () => {
  const fleet = await startFleet(FLEET);
  f = fleet;
  // xenstored stuck for the first two reads: each times out (the adapter's 5 s)
  f.sim.toolFault('xen1', 'xenstore-read', { kind: 'hang' }, { argvPrefix: vmRead(fleet), times: 2 });
  f.startAgent('xen1');
  await f.until(() => known(fleet) === 6, 'the six start times', 60_000);
  expect(xenstoreReads(f)).toBe(4);
  expect(f.agent('xen1').logs.filter((l) => l.level >= 40 && l.msg.includes('start time'))).toEqual([]);
});

// A read that failed four times was left alone until the domain's id changed: once xenstored
// answered again the start times stayed unknown until the agent restarted.
it('a read that keeps failing is tried four times, backing off, said once, then every 10 minutes until xenstored answers', async () => {
  const fleet = await startFleet(FLEET);
  f = fleet;
  f.sim.toolFault('xen1', 'xenstore-read', { kind: 'hang' }, { argvPrefix: vmRead(fleet) });
  f.startAgent('xen1');
  const said = await f.log('xen1', (l) => l.msg.startsWith('cannot read since when Xen has run'), 'given up', 120_000);
  expect(said.msg).toMatch(/^cannot read since when Xen has run web1 \(domain \d+\), .* and web6 \(domain \d+\) after 4 tries, their start times stay unknown and are asked again every 10 minutes: xenstore-read \/local\/domain\/\d+\/vm and 5 more paths: /);
  const runs = () => startTimeRuns(fleet).map((c) => c.at);
  expect(runs().length).toBe(4);
  // the waits between them grow: 5 s, 20 s, 60 s after each 5 s timeout
  expect(runs().slice(1).map((t, i) => t - (runs()[i] ?? 0))).toEqual([10_000, 25_000, 65_000]);
  await f.advance(1_210_000);
  // one read for all six 10 minutes after each timed out (the adapter's 5 s), said no more
  expect(runs().slice(4).map((t, i) => t - (runs()[3 + i] ?? 0))).toEqual([605_000, 605_000]);
  expect(f.agent('xen1').logs.filter((l) => l.msg.startsWith('cannot read since when Xen has run'))).toHaveLength(1);
  // xenstored answers again: the six start times come at the next slow read
  f.sim.clearToolFaults();
  await f.until(() => known(fleet) === 6, 'the six start times', 700_000);
  expect(f.agent('xen1').logs.filter((l) => l.msg.startsWith('read since when Xen has run'))).toHaveLength(6);
});
