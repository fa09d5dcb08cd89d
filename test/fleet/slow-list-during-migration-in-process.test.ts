import { afterEach, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from '../harness/fleet.js';
import { pairFleet } from '../harness/pair-fleet.js';

// While a migration row stands, an agent reads `xl list` again soon, to see the rename at the
// migration's end. On a slow or loaded Dom0 a read takes long, and reading again a quarter second
// after each one would keep a CPU busy on the very host that restores the guest's memory.

const FLEET = pairFleet({ bandwidth: 16, connectDelay: 300 });

let fleet: Fleet | undefined;
afterEach(async () => fleet?.stop());

/** when xen2's `xl list` runs began, in simulated ms, from FROM on */
const listsOnXen2 = (f: Fleet, from: number): number[] => f.sim.commandLog.filter((c) => c.host === 'xen2' && c.tool === 'xl' && c.argv[0] === 'list' && c.at >= from).map((c) => c.at);

/** xen2's reads of `xl list` over one minute of web1's copy onto it, each taking LISTMS */
async function incomingMigration(listMs: number): Promise<{ starts: number[]; gaps: number[]; share: number }> {
  const f = (fleet = await startFleet(FLEET));
  for (const h of ['xen1', 'xen2']) f.startAgent(h);
  await f.until(() => f.agent('xen2').notified.some((n) => n.ready), 'the agent on xen2 ready');
  if (listMs > 0) f.sim.toolFault('xen2', 'xl', { kind: 'slow', ms: listMs }, { argvPrefix: ['list'] });
  void f.sim.run('xen1', 'xl', ['migrate', 'web1', 'xen2']);
  // web1's 2,048 MiB at 16 MiB/s: two minutes with web1--incoming standing on xen2
  await f.until(() => f.sim.state().migrations.length === 1, 'the copy began');
  const from = f.sim.clock.now() + 5_000;
  await f.advance(65_000);
  expect(f.sim.state().migrations.length, 'the copy still runs').toBe(1);
  const starts = listsOnXen2(f, from).filter((t) => t < from + 60_000);
  const gaps = starts.slice(1).map((t, i) => t - (starts[i] as number));
  return { starts, gaps, share: (starts.length * listMs) / 60_000 };
}

describe('reading xl list while a migration row stands (in process)', () => {
  it('on a quick Dom0: again a quarter second after each read', async () => {
    const { gaps } = await incomingMigration(0);
    expect(gaps.length).toBeGreaterThan(100);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(300);
  });

  it('on a Dom0 where xl list takes 1.2 s: four times that between reads, a fifth of the time at most', async () => {
    const { starts, gaps, share } = await incomingMigration(1_200);
    // a read of 1.2 s, then 4.8 s of waiting: ten a minute; the minute's resync (a full read on
    // its own timer) adds its own `xl list`, which splits one of the gaps in two, and does not
    // bring the next timed read forward
    expect(starts.length).toBeGreaterThanOrEqual(9);
    expect(starts.length).toBeLessThanOrEqual(11);
    expect(gaps.filter((g) => g < 5 * 1_200).length).toBeLessThanOrEqual(2);
    expect(share).toBeLessThanOrEqual(0.22);
  });

  it('on slow Dom0s, the rename at a migration’s end is read at once: the incoming domain’s name is watched, not left to the next timed read', async () => {
    const f = (fleet = await startFleet(FLEET));
    for (const h of ['xen1', 'xen2']) f.startAgent(h);
    await f.until(() => ['xen1', 'xen2'].every((h) => f.agent(h).notified.some((n) => n.ready)), 'both agents ready');
    // 2.5 s a read: the timed reads come 10 s after each other, a quarter of the time spent reading
    const listMs = 2_500;
    for (const h of ['xen1', 'xen2']) f.sim.toolFault(h, 'xl', { kind: 'slow', ms: listMs }, { argvPrefix: ['list'] });
    const lags: number[] = [];
    for (const [from, to] of [['xen1', 'xen2'], ['xen2', 'xen1'], ['xen1', 'xen2']] as const) {
      let returnedAt: number | null = null;
      void f.sim.run(from, 'xl', ['migrate', 'web1', to]).then(() => (returnedAt = f.sim.clock.now()));
      await f.until(() => returnedAt !== null, `xl migrate web1 ${to} returned`, 600_000);
      const seenAt = await f.until(() => f.agent(to).core.current.domains?.some((d) => d.name === 'web1' && d.migration === null) === true, `${to} lists web1 as its own, the migration over`);
      lags.push(seenAt - (returnedAt as unknown as number));
      await f.until(() => f.agent(from).core.current.domains?.every((d) => d.baseName !== 'web1') === true, `${from} lists web1 no more`);
    }
    // each time, a read already running at the rename ends first, then the one the rename asked
    // for: 1.8 s here, against 11.8 s when only the timed reads look
    expect(Math.max(...lags)).toBeLessThanOrEqual(2 * listMs + 100);
    // a watch each migration, on the target's web1--incoming; none once the rows are gone
    const watches = f.sim.commandLog.filter((c) => c.tool === 'xenstore-watch' && c.argv.some((a) => /^\/local\/domain\/[0-9]+\/name$/.test(a)));
    expect(watches.map((c) => c.host)).toEqual(['xen2', 'xen1', 'xen2']);
    for (const h of ['xen1', 'xen2']) expect(f.agent(h).core.current.renameWatch.domids).toEqual([]);
  });
});
