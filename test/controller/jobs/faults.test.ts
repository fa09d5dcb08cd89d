import { describe, expect, it } from 'vitest';
import { jobSettingsOf, parseControllerConfig } from '../../../controller/config/load.js';
import { expectGoldenLog } from './golden-log.js';
import { jobsBed, SPREAD } from './jobs-bed.js';

const DRAIN = { kind: 'drain', host: 'xen1', maxParallel: null, coldFallback: false, allowPartial: false, timeoutMs: null } as const;
const phases = (bed: Awaited<ReturnType<typeof jobsBed>>, job: ReturnType<Awaited<ReturnType<typeof jobsBed>>['start']>, name: string) =>
  bed.moves(job).filter((m) => m.name === name && m.phase !== 'progress').map((m) => m.phase);

describe('migration failures, ambiguous endings and crashes during a drain', () => {
  it('a failed migration is retried (still at the source), and succeeds on the next attempt', async () => {
    const bed = await jobsBed(SPREAD);
    bed.fleet.fault('a1', 'fail');
    const job = bed.start(DRAIN);
    expect(await bed.finish(job)).toMatchObject({ ok: true, moved: 4 });
    expect(phases(bed, job, 'a1')).toEqual(['started', 'retrying', 'moved']);
    bed.neverTwice();
    expectGoldenLog('faults/a-failed-migration-is-retried-still-at-the-source-and-succee', bed.logs);
  });

  it('three failures: a leftover, xen1 stays draining; with --cold-fallback it is shut down and started on the target', async () => {
    const bed = await jobsBed(SPREAD);
    bed.fleet.fault('a1', 'fail', 'fail', 'fail');
    const job = bed.start(DRAIN);
    const end = await bed.finish(job);
    expect(end).toMatchObject({ ok: false, code: 'XH_ERR_MIGRATION_FAILED', moved: 3 });
    expect(end.remaining.map((l) => [l.name, l.blocker.kind])).toEqual([['a1', 'failed']]);
    expect(end.remaining[0]?.message).toMatch(/a1: 3 attempts failed \(XH_ERR_MIGRATION_FAILED: Migration failed, resuming at sender\.\); it still runs where it was/);
    expect(bed.fleet.host('xen1').maintenance.state).toBe('draining');

    bed.fleet.fault('a1', 'fail', 'fail', 'fail');
    bed.fleet.refuseStarts.set('a1', 1); // DRBD not yet safe on the first ask
    const cold = bed.start({ ...DRAIN, coldFallback: true });
    expect(await bed.finish(cold)).toMatchObject({ ok: true, moved: 1 });
    expect(phases(bed, cold, 'a1')).toEqual(['started', 'retrying', 'retrying', 'cold', 'cold', 'cold', 'moved']);
    expect(bed.fleet.where('a1')).toEqual(['xen2']);
    expect(bed.fleet.starts.map((s) => [s.name, s.host])).toEqual([['a1', 'xen2']]);
    expect(bed.fleet.host('xen1').ledger.away['a1']).toMatchObject({ currentHost: 'xen2' });
    bed.neverTwice();
    expectGoldenLog('faults/three-failures-a-leftover-xen1-stays-draining-with-cold-fall', bed.logs);
  });

  it('an ambiguous final handshake is settled by asking both hosts: at the target it is done, never started or migrated again', async () => {
    const bed = await jobsBed(SPREAD);
    bed.fleet.fault('a1', 'unknown-moved');
    const job = bed.start(DRAIN);
    expect(await bed.finish(job)).toMatchObject({ ok: true, moved: 4 });
    expect(phases(bed, job, 'a1')).toEqual(['started', 'settling', 'moved']);
    expect(bed.fleet.host('xen1').commands.filter((c) => c.op === 'migrate' && c.name === 'a1')).toHaveLength(1);
    expect(bed.fleet.host('xen2').commands.filter((c) => c.op === 'inspect').map((c) => c.op === 'inspect' && c.name)).toEqual(['a1']);
    bed.neverTwice();
    expectGoldenLog('faults/an-ambiguous-final-handshake-is-settled-by-asking-both-hosts', bed.logs);
  });

  it('an ambiguous ending that left it at the source is settled first, then retried', async () => {
    const bed = await jobsBed(SPREAD);
    bed.fleet.fault('b1', 'unknown-stayed');
    const job = bed.start(DRAIN);
    expect(await bed.finish(job)).toMatchObject({ ok: true, moved: 4 });
    expect(phases(bed, job, 'b1')).toEqual(['started', 'settling', 'retrying', 'moved']);
    bed.neverTwice();
    expectGoldenLog('faults/an-ambiguous-ending-that-left-it-at-the-source-is-settled-fi', bed.logs);
  });

  /** A drain of xen1 whose agent says nothing while it migrates a2: the drain's end, a2's moves, the bed. */
  async function drainWithSilentA2(jobs: Parameters<typeof jobsBed>[1] = {}) {
    const bed = await jobsBed(SPREAD, jobs);
    bed.fleet.fault('a2', 'silent');
    const job = bed.start(DRAIN);
    const end = await bed.finish(job);
    return { bed, end, a2: bed.moves(job).filter((m) => m.name === 'a2') };
  }

  it('an agent that goes silent mid-migration: the progress timeout settles it (it had moved)', async () => {
    const { bed, end, a2 } = await drainWithSilentA2();
    expect(end).toMatchObject({ ok: true, moved: 4 });
    expect(a2.map((m) => m.phase)).toEqual(['started', 'settling', 'moved']);
    expect(a2[1]?.line).toMatch(/XH_ERR_TIMEOUT: no progress from xen1 for 60 s/);
    expectGoldenLog('faults/an-agent-that-goes-silent-mid-migration-the-progress-timeout', bed.logs);
  });

  it("the silence tolerated is controller.json's migrations.stuckAfterSeconds: 180 s there, and no settling before", async () => {
    const config = parseControllerConfig(JSON.stringify({ tls: false, stateDir: '/s', listen: { host: '127.0.0.1' }, migrations: { stuckAfterSeconds: 180, minDeadlineSeconds: 600 } }), '/c.json');
    if (!config.ok) throw new Error(config.error.message);
    const { end, a2 } = await drainWithSilentA2(jobSettingsOf(config.value));
    expect(end).toMatchObject({ ok: true, moved: 4 });
    expect(a2.map((m) => m.phase)).toEqual(['started', 'settling', 'moved']);
    expect(a2[1]?.line).toMatch(/XH_ERR_TIMEOUT: no progress from xen1 for 180 s/);
    expect(a2[1]?.elapsedMs).toBeGreaterThanOrEqual(180_000);
  });

  it("a crash of the source's agent mid-drain: the move in flight is settled when it is back, and the drain goes on", async () => {
    const bed = await jobsBed(SPREAD);
    const job = bed.start(DRAIN);
    await bed.until(() => bed.moves(job, 'started').length === 2, 'the second move');
    const x1 = bed.fleet.host('xen1');
    x1.crashAgent();
    await bed.clock.advance(30_000);
    expect(job.end).toBeNull();
    x1.restartAgent([bed.core]);
    const end = await bed.finish(job);
    expect(end).toMatchObject({ ok: true, moved: 4 });
    expect(x1.maintenance.state).toBe('maintenance');
    expect(bed.moves(job, 'settling').length).toBeGreaterThan(0);
    bed.neverTwice();
    expectGoldenLog('faults/a-crash-of-the-source-s-agent-mid-drain-the-move-in-flight-i', bed.logs);
  });

  it('a crash that outlasts the wait: the drain ends with what remains and why', async () => {
    const bed = await jobsBed(SPREAD, { transientWaitMs: 60_000, settleTimeoutMs: 60_000 });
    const job = bed.start(DRAIN);
    await bed.until(() => bed.moves(job, 'moved').length === 1, 'one move');
    bed.fleet.host('xen1').crashAgent();
    const end = await bed.finish(job);
    expect(end.ok).toBe(false);
    expect(end.remaining.length).toBeGreaterThan(0);
    expect(end.message).toMatch(/xen1 stays draining/);
    expectGoldenLog('faults/a-crash-that-outlasts-the-wait-the-drain-ends-with-what-rema', bed.logs);
  });
});
