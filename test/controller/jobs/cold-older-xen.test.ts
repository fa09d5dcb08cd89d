import { describe, expect, it } from 'vitest';
import type { SimSpec } from './sim-fleet.js';
import { jobsBed } from './jobs-bed.js';

// A cold move shuts the domU down and starts it from its config on the target: no migration
// stream, so an older Xen release there does not refuse it as it refuses a live one.
const PAIR: SimSpec = {
  hosts: [{ name: 'xen1' }, { name: 'xen2' }],
  domus: [{ name: 'a1', home: 'xen1', replicas: ['xen1', 'xen2'], memMiB: 2048 }],
};
const DRAIN = { kind: 'drain', host: 'xen1', maxParallel: null, coldFallback: false, allowPartial: true, timeoutMs: null } as const;

describe('drain onto a Dom0 of an older Xen release', () => {
  it('live: a1 stays, xen2 runs an older release; --cold-fallback moves it cold at once, no live attempt sent', async () => {
    const bed = await jobsBed(PAIR);
    const xen1 = bed.fleet.host('xen1');
    xen1.xen = { major: 4, minor: 17, version: '4.17.5' };
    xen1.reportTools();
    const xen2 = bed.fleet.host('xen2');
    xen2.xen = { major: 4, minor: 11, version: '4.11.4' };
    xen2.reportTools();

    const live = await bed.finish(bed.start(DRAIN));
    expect(live).toMatchObject({ ok: false, moved: 0 });
    expect(live.remaining.map((l) => l.message)).toEqual([expect.stringContaining("xen2 runs an older Xen release than the domU's Dom0")]);

    const job = bed.start({ ...DRAIN, coldFallback: true });
    expect(await bed.finish(job)).toMatchObject({ ok: true, moved: 1 });
    const seen = bed.moves(job).filter((m) => m.name === 'a1' && m.phase !== 'progress');
    expect(seen.map((m) => m.phase)).toEqual(['cold', 'cold', 'moved']);
    expect(seen[0]?.line).toContain('xen2 runs an older Xen release than xen1, which no live migration goes to: shutting a1 down on xen1 to start it on xen2');
    expect(xen1.commands.map((c) => c.op)).not.toContain('migrate');
    expect(bed.fleet.where('a1')).toEqual(['xen2']);
    expect(bed.fleet.starts.map((s) => [s.name, s.host])).toEqual([['a1', 'xen2']]);
    bed.neverTwice();
  });

  it("a cold move xen1 refuses names xen1 once: the agent's own naming of itself reads as \"it\"", async () => {
    const bed = await jobsBed(PAIR);
    for (const [name, minor] of [['xen1', 17], ['xen2', 11]] as const) {
      const h = bed.fleet.host(name);
      h.xen = { major: 4, minor, version: `4.${minor}.0` };
      h.reportTools();
    }
    const command = bed.fleet.command.bind(bed.fleet);
    // the real agent's words (agent/decide/cold-move-plan.ts) open with its own host name
    bed.fleet.command = (h, c, reply) =>
      c.op === 'shutdown' ? reply.done(false, 'XH_ERR_REFUSED', `${h.name} holds no config for ${c.name}: which hosts hold its disks is unknown, so it is not shut down for ${c.target}`) : command(h, c, reply);
    const end = await bed.finish(bed.start({ ...DRAIN, coldFallback: true }));
    expect(end).toMatchObject({ ok: false, moved: 0 });
    expect(end.remaining.map((l) => l.message)).toEqual([
      'a1: 0 attempts failed (XH_ERR_REFUSED: cold fallback: xen1 did not shut a1 down: it holds no config for a1: which hosts hold its disks is unknown, so it is not shut down for xen2); it still runs where it was',
    ]);
    expect(bed.fleet.where('a1')).toEqual(['xen1']);
  });
});
