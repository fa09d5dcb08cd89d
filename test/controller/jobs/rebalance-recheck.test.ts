import { describe, expect, it } from 'vitest';
import type { SimSpec } from './sim-fleet.js';
import { jobsBed } from './jobs-bed.js';

// A rebalance judges each planned move again right before it starts. A Dom0 that comes back from a
// reboot during the job running the other toolstack, or an older Xen, must drop the moves planned
// onto it: the tools would refuse them, after a hold and a preflight on the source.
const AWAY: SimSpec = {
  hosts: [{ name: 'xen1' }, { name: 'xen2' }],
  // both away from their home for an hour (past the cooldown): the plan sends both home, one after the other
  domus: [
    { name: 'a1', home: 'xen1', replicas: ['xen1', 'xen2'], memMiB: 2048, on: 'xen2' },
    { name: 'a2', home: 'xen1', replicas: ['xen1', 'xen2'], memMiB: 2048, on: 'xen2' },
  ],
};

describe('a rebalance move whose target changed tools since the plan', () => {
  it.each([
    ['runs xm now', { toolstack: 'xm' as const, xen: null }, 'xen1 runs the other toolstack'],
    ['runs Xen 4.4 now, xen2 4.17', { toolstack: 'xl' as const, xen: { major: 4, minor: 4, version: '4.4.4' } }, "xen1 runs an older Xen release than the domU's Dom0"],
  ])('xen1 %s: the move not started yet is dropped with the reason, the one under way ends', async (_what, now, says) => {
    const bed = await jobsBed(AWAY);
    const xen2 = bed.fleet.host('xen2');
    xen2.xen = { major: 4, minor: 17, version: '4.17.5' };
    xen2.reportTools();
    const job = bed.start({ kind: 'rebalance', maxMoves: null, timeoutMs: null });
    await bed.until(() => bed.moves(job, 'started').length === 1, 'the first move started');
    const first = bed.moves(job, 'started')[0]?.name as string;
    const xen1 = bed.fleet.host('xen1');
    Object.assign(xen1, now);
    xen1.reportTools();
    const end = await bed.finish(job);
    expect(end).toMatchObject({ ok: false, moved: 1 });
    const second = first === 'a1' ? 'a2' : 'a1';
    expect(end.remaining.map((l) => [l.name, l.message])).toEqual([[second, expect.stringContaining(says)]]);
    expect(bed.fleet.where(first)).toEqual(['xen1']);
    expect(bed.fleet.where(second)).toEqual(['xen2']);
    expect(xen2.commands.filter((c) => c.op === 'migrate').map((c) => c.name)).toEqual([first]);
  });
});
