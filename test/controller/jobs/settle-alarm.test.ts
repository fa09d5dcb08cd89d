import { describe, expect, it } from 'vitest';
import { interceptMigrate, jobsBed, keepUnsettled, T0 } from './jobs-bed.js';
import type { SimSpec } from './sim-fleet.js';

const SPEC: SimSpec = { hosts: [{ name: 'xen1' }, { name: 'xen2' }], domus: [{ name: 'db1', home: 'xen1', replicas: ['xen1', 'xen2'], memMiB: 1024 }] };
const DRAIN = { kind: 'drain', host: 'xen1', maxParallel: null, coldFallback: false, allowPartial: false, timeoutMs: null } as const;

/**
 * xen1's migrate of db1 fails in the final handshake: both halves stay standing (db1--migratedaway
 * shut down on xen1, db1--incoming paused on xen2), nothing runs any more. With `record`, xen1's
 * agent keeps the ALARM in its ledger (unsettled) and answers it, as the real agent does.
 */
async function handshakeBed(record: boolean) {
  const bed = await jobsBed(SPEC);
  interceptMigrate(bed, 'xen1', 'db1', (c, reply) => {
    const src = bed.fleet.host('xen1');
    const dst = bed.fleet.host('xen2');
    bed.clock.schedule(5_000, () => {
      src.domains.set('db1', { name: 'db1', memMiB: 1024, vcpus: 1, state: 'shutdown', migration: 'migratedaway' });
      dst.domains.set('db1', { name: 'db1', memMiB: 1024, vcpus: 1, state: 'paused', migration: 'incoming' });
      if (record) keepUnsettled(bed, src, 'db1', 'xen2', c.operationId, 'ALARM: db1 is listed on both hosts');
      src.publish();
      dst.publish();
      reply.done(false, 'XH_ERR_MIGRATION_UNKNOWN', 'ALARM: after the final handshake failed, db1 is listed on both hosts; the ledger is unchanged, check both hosts');
    });
  });
  return bed;
}

describe('a settle wait ends on an ALARM the agent reported, and on a cancel', () => {
  it('an ALARM the agent already reported is final at once: the move ends as alarm, both halves stay', async () => {
    const bed = await handshakeBed(true);
    const job = bed.start(DRAIN);
    const end = await bed.finish(job);
    expect(end).toMatchObject({ ok: false, code: 'XH_ERR_MIGRATION_UNKNOWN', moved: 0 });
    expect(end.remaining.map((l) => [l.name, l.blocker.kind])).toEqual([['db1', 'alarm']]);
    expect(bed.moves(job).filter((m) => m.phase !== 'progress').map((m) => m.phase).at(-1)).toBe('alarm');
    expect(bed.clock.now() - T0).toBeLessThan(60_000);
    // nothing was done to either half
    expect(bed.fleet.host('xen1').domains.get('db1')?.migration).toBe('migratedaway');
    expect(bed.fleet.host('xen2').domains.get('db1')?.migration).toBe('incoming');
    expect(bed.fleet.host('xen1').maintenance.state).toBe('draining');
  });

  it('a cancel ends a settle wait on halves that still stand: the move is an alarm, not a 10-minute wait', async () => {
    const bed = await handshakeBed(false);
    const job = bed.start(DRAIN);
    await bed.until(() => bed.moves(job).some((m) => m.phase === 'settling' && /still moving/.test(m.line ?? '')), 'settling: still moving');
    const t = bed.clock.now();
    expect(bed.core.hub.cancel(job.jobId, 'admin')).toMatchObject({ ok: true });
    const end = await bed.finish(job);
    // the ALARM's code, not the cancel's: a script reading the code alone must not take it for a plain stop
    expect(end).toMatchObject({ ok: false, code: 'XH_ERR_MIGRATION_UNKNOWN', cancelled: true });
    expect(end.message).toMatch(/^the drain was cancelled: /);
    expect(end.remaining.map((l) => [l.name, l.blocker.kind])).toEqual([['db1', 'alarm']]);
    expect(bed.clock.now() - t).toBeLessThan(60_000);
  });

  it('the job\'s --timeout ends a settle wait too', async () => {
    const bed = await handshakeBed(false);
    const job = bed.start({ ...DRAIN, timeoutMs: 60_000 });
    const end = await bed.finish(job);
    // likewise not --timeout's own code (90): the ALARM outranks it
    expect(end).toMatchObject({ ok: false, code: 'XH_ERR_MIGRATION_UNKNOWN' });
    expect(end.remaining.map((l) => [l.name, l.blocker.kind])).toEqual([['db1', 'alarm']]);
    expect(bed.clock.now() - T0).toBeLessThan(3 * 60_000);
  });
});
