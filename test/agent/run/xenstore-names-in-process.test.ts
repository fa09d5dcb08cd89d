import { afterEach, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../../harness/fleet.js';

// This Dom0's name written into each domU's xenstore area (agent/core/xenstore-names.ts) by a real
// agent core on the simulator's Dom0, on its clock, while xenstore-write fails and then recovers.

let f: Fleet | undefined;
afterEach(async () => f?.stop());

const FLEET = ['host xen1 mem=32768 cpus=8 toolstack=xl xen=4.17.7 drbd=8.4', ...[1, 2, 3].map((i) => `domu web${i} mem=512 vcpus=1 home=xen1 running=xen1`)].join('\n');
/** the domUs whose xenstore area names xen1 */
const named = (fleet: Fleet): number => Object.entries(fleet.sim.state().xenstore['xen1'] ?? {}).filter(([k, v]) => /^\/local\/domain\/\d+\/data\/xenherd\/dom0$/.test(k) && v === 'xen1').length;
const writeRuns = (fleet: Fleet): number[] => fleet.sim.commandLog.filter((c) => c.host === 'xen1' && c.tool === 'xenstore-write').map((c) => c.at);
const namingLines = (fleet: Fleet) => fleet.agent('xen1').logs.filter((l) => typeof l.msg === 'string' && l.msg.includes('this Dom0'));

// A write that failed (xenstored stuck at boot) was never tried again: the guests went on
// reading the Dom0 they ran on before until each restarted or moved.
it('a write that failed is tried again on the clock: the guests are named once xenstored answers, nothing said', async () => {
  const fleet = (f = await startFleet(FLEET));
  // stuck for the first two runs: each times out (the adapter's 5 s)
  fleet.sim.toolFault('xen1', 'xenstore-write', { kind: 'hang' }, { times: 2 });
  fleet.startAgent('xen1');
  await fleet.until(() => named(fleet) === 3, 'the three domUs named', 60_000);
  // one run for the three at each try
  expect(writeRuns(fleet)).toHaveLength(3);
  expect(namingLines(fleet)).toEqual([]);
});

it('a write that keeps failing is tried four times, backing off, said once, then every 10 minutes, and said once named', async () => {
  const fleet = (f = await startFleet(FLEET));
  fleet.sim.toolFault('xen1', 'xenstore-write', { kind: 'hang' });
  fleet.startAgent('xen1');
  const said = await fleet.log('xen1', (l) => typeof l.msg === 'string' && l.msg.startsWith('cannot name this Dom0'), 'given up', 120_000);
  expect(said.msg).toMatch(/^cannot name this Dom0 in the xenstore areas of web1 \(domain \d+\), web2 \(domain \d+\) and web3 \(domain \d+\) after 4 tries, tried again every 10 minutes: xenstore-write \/local\/domain\/\d+\/data\/xenherd\/dom0 … \(the pairs of 3 domUs\)/);
  const runs = () => writeRuns(fleet);
  const gaps = (from: number) => runs().slice(from + 1).map((t, i) => t - (runs()[from + i] ?? 0));
  expect(runs()).toHaveLength(4);
  // the waits between them grow: 5 s, 20 s, 60 s after each 5 s timeout
  expect(gaps(0)).toEqual([10_000, 25_000, 65_000]);
  await fleet.advance(1_210_000);
  expect(runs()).toHaveLength(6);
  // one run for all three 10 minutes after each timed out
  expect(gaps(3)).toEqual([605_000, 605_000]);
  expect(namingLines(fleet)).toHaveLength(1);
  // xenstored answers again: the three are named at the next slow try, said once
  fleet.sim.clearToolFaults();
  await fleet.until(() => named(fleet) === 3, 'the three domUs named', 700_000);
  await fleet.log('xen1', (l) => typeof l.msg === 'string' && l.msg.startsWith('named this Dom0 in the xenstore areas of web1'), 'named at last');
  expect(namingLines(fleet)).toHaveLength(2);
});

// xenstored dropping mid-run made the domU whose pair the tool stood at the one blamed, as if
// xenstored had refused its pair: the warning named web2 (and then web3, at which the run of the
// rest dropped) "refused", while web1 was written, though each run failed alike.
it('a run at which xenstored drops mid-batch fails its domUs alike: tried again together, the warning names them all and why', async () => {
  const fleet = (f = await startFleet(FLEET));
  // every run drops after web1's pairs and web2's first, xenstored restarted at once each time
  fleet.sim.toolFault('xen1', 'xenstore-write', { kind: 'xenstored-drop', afterPairs: 3 });
  fleet.startAgent('xen1');
  const said = await fleet.log('xen1', (l) => typeof l.msg === 'string' && l.msg.startsWith('cannot name this Dom0'), 'given up', 120_000);
  expect(said.msg).toMatch(/^cannot name this Dom0 in the xenstore areas of web1 \(domain \d+\), web2 \(domain \d+\) and web3 \(domain \d+\) after 4 tries, .*: xenstored went away mid-run \(the tool could not write \/local\/domain\/\d+\/data\/xenherd\/since, then could not end its transaction\)/);
  // one run a try, the three together
  expect(writeRuns(fleet)).toHaveLength(4);
  expect(namingLines(fleet)).toHaveLength(1);
  fleet.sim.clearToolFaults();
  await fleet.until(() => named(fleet) === 3, 'the three domUs named', 700_000);
});
