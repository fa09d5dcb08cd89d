import { describe, expect, it } from 'vitest';
import { interceptMigrate, jobsBed, SPREAD, T0 } from './jobs-bed.js';

const DRAIN = { kind: 'drain', host: 'xen1', maxParallel: null, coldFallback: false, allowPartial: false, timeoutMs: null } as const;

/** xen1's agent answers "ok" to every migrate of NAME and moves nothing (a rogue or broken agent). */
async function lyingBed(name: string) {
  const bed = await jobsBed(SPREAD);
  interceptMigrate(bed, 'xen1', name, (c, reply) => reply.done(true, null, `${c.name} migrated to ${c.target ?? '?'}`));
  return bed;
}

describe('a move counts on the reports, not on the source agent\'s word', () => {
  it('an "ok" the reports never confirm is an alarm leftover; the drain does not call xen1 empty', async () => {
    const bed = await lyingBed('a1');
    const job = bed.start(DRAIN);
    const end = await bed.finish(job);
    expect(end).toMatchObject({ ok: false, code: 'XH_ERR_MIGRATION_UNKNOWN', moved: 3 });
    expect(end.remaining.map((l) => [l.name, l.blocker.kind])).toEqual([['a1', 'alarm']]);
    expect(end.remaining[0]?.message).toMatch(/xen1's agent reported a1 moved to xen2, but the reports do not show it within 30 s/);
    expect(bed.moves(job).filter((m) => m.name === 'a1' && m.phase !== 'progress').map((m) => m.phase)).toEqual(['started', 'alarm']);
    expect(bed.fleet.host('xen1').maintenance.state).toBe('draining');
    expect(bed.fleet.where('a1')).toEqual(['xen1']);
  });

  it('an honest move is confirmed by the reports at once: no wait', async () => {
    const bed = await jobsBed(SPREAD);
    const job = bed.start(DRAIN);
    expect(await bed.finish(job)).toMatchObject({ ok: true, moved: 4 });
    // four migrations of 1–2 GiB at 100 MiB/s one at a time plus the quiet time: far below a 30 s wait each
    expect(bed.clock.now() - T0).toBeLessThan(120_000);
  });
});
