import { describe, expect, it } from 'vitest';
import type { JobEnd, JobRequest } from '../../../shared/protocol/ctl-jobs.js';
import { jobsBed, SPREAD, type JobsBed, type RunningJob } from './jobs-bed.js';

// Every job kind cancelled mid-move ends saying it was cancelled, as a drain's ending always did:
// a restore's "xen1 is online; 3 domU(s) of it are not home …" alone read as a failure of its own.
const DRAIN = { kind: 'drain', host: 'xen1', maxParallel: 1, coldFallback: false, allowPartial: false, timeoutMs: null } as const;
const RESTORE = { kind: 'restore', host: 'xen1', timeoutMs: null } as const;
const REBALANCE = { kind: 'rebalance', maxMoves: null, timeoutMs: null } as const;

/** JOB cancelled by admin once its first move started; its end. */
async function cancelledOnce(bed: JobsBed, job: RunningJob): Promise<JobEnd> {
  await bed.until(() => bed.moves(job, 'started').length === 1, 'the first move');
  expect(bed.core.hub.cancel(job.jobId, 'admin')).toMatchObject({ ok: true });
  return bed.finish(job);
}

/** xen1 drained, set online again without a restore, and past the domUs' cooldown: a rebalance brings them home. */
async function awayFromOnlineHome(bed: JobsBed): Promise<void> {
  await bed.finish(bed.start({ ...DRAIN, maxParallel: null }));
  await bed.finish(bed.start({ kind: 'maintenance', host: 'xen1', on: false }));
  await bed.clock.advance(31 * 60_000);
}

describe('a cancelled job ends saying it was cancelled, whatever its kind', () => {
  it('drain: its own words, not said twice', async () => {
    const bed = await jobsBed(SPREAD);
    const end = await cancelledOnce(bed, bed.start(DRAIN));
    expect(end).toMatchObject({ ok: false, code: 'XH_ERR_REFUSED', moved: 1 });
    expect(end.message).toMatch(/^the drain was cancelled: 3 domU\(s\) remain on xen1 \(1 moved\)/);
    expect(end.message.match(/cancelled/g)).toHaveLength(1);
    // for scripts: the code stays, the mark tells the stop asked for from a refusal
    expect(end.cancelled).toBe(true);
  });

  it('a refusal, or a job not cancelled, carries no mark', async () => {
    const bed = await jobsBed(SPREAD);
    const refused = await bed.finish(bed.start({ kind: 'maintenance', host: 'xen1', on: true }));
    expect(refused).toMatchObject({ ok: false, code: 'XH_ERR_REFUSED' });
    expect(refused).not.toHaveProperty('cancelled');
    expect(await bed.finish(bed.start(DRAIN))).not.toHaveProperty('cancelled');
  });

  it('restore: "the restore was cancelled: xen1 is online; …", and `jobs` keeps those words', async () => {
    const bed = await jobsBed(SPREAD);
    await bed.finish(bed.start({ ...DRAIN, maxParallel: null }));
    const end = await cancelledOnce(bed, bed.start(RESTORE));
    expect(end).toMatchObject({ ok: false, code: 'XH_ERR_REFUSED', moved: 1 });
    expect(end.message).toMatch(/^the restore was cancelled: xen1 is online; 3 domU\(s\) of it are not home \(1 moved\): /);
    expect(end.cancelled).toBe(true);
    expect(bed.core.hub.finished()[0]).toMatchObject({ kind: 'restore', stopReason: 'cancelled', message: end.message });
  });

  it('rebalance: "the rebalance was cancelled: N of 4 move(s) applied; …"', async () => {
    const bed = await jobsBed(SPREAD);
    await awayFromOnlineHome(bed);
    const end = await cancelledOnce(bed, bed.start(REBALANCE));
    expect(end).toMatchObject({ ok: false, code: 'XH_ERR_REFUSED' });
    expect(end.message).toMatch(/^the rebalance was cancelled: \d of 4 move\(s\) applied; not applied: /);
  });

  it('roll cancelled mid-drain: "the roll was cancelled: group 1/… (xen1): the drain did not finish …"', async () => {
    const bed = await jobsBed(SPREAD);
    const req: JobRequest = { kind: 'roll', hosts: ['xen1'], reboot: 'wait', maxParallel: 1, coldFallback: false, timeoutMs: null };
    const end = await cancelledOnce(bed, bed.start(req));
    expect(end).toMatchObject({ ok: false });
    expect(end.message).toMatch(/^the roll was cancelled: group 1\/1 \(xen1\): the drain did not finish/);
  });

  it('roll cancelled mid-drain after a move failed: cancelled as the other kinds (XH_ERR_REFUSED, marked), the failure named inside', async () => {
    const bed = await jobsBed(SPREAD);
    bed.fleet.fault('a1', 'fail', 'fail', 'fail');
    const req: JobRequest = { kind: 'roll', hosts: ['xen1'], reboot: 'wait', maxParallel: 1, coldFallback: false, timeoutMs: null };
    const job = bed.start(req);
    await bed.until(() => bed.moves(job, 'failed').length === 1 && bed.moves(job, 'started').length === 2, 'a1 failed, the next move started');
    expect(bed.core.hub.cancel(job.jobId, 'admin')).toMatchObject({ ok: true });
    const end = await bed.finish(job);
    // the code a drain, restore or rebalance cancelled ends with (exit 1 in xenherdctl either way), so
    // xenherdctl says "cancelled: …"; not XH_ERR_MIGRATION_FAILED, which read as a failure of its own
    expect(end).toMatchObject({ ok: false, code: 'XH_ERR_REFUSED', cancelled: true });
    expect(end.message).toMatch(/^the roll was cancelled: group 1\/1 \(xen1\): the drain did not finish \(.*a1: 3 attempts failed \(XH_ERR_MIGRATION_FAILED/);
    expect(end.remaining.find((l) => l.name === 'a1')?.blocker.kind).toBe('failed');
  });

  it('roll cancelled in its restore after a move home failed: likewise', async () => {
    const bed = await jobsBed(SPREAD);
    const req: JobRequest = { kind: 'roll', hosts: ['xen1'], reboot: 'wait', maxParallel: 1, coldFallback: false, timeoutMs: null };
    const job = bed.start(req);
    await bed.until(() => job.events.some((e) => e.type === 'reboot'), 'the reboot request');
    const xen1 = bed.fleet.host('xen1');
    xen1.reboot();
    bed.clock.schedule(45_000, () => xen1.restartAgent([bed.core]));
    bed.fleet.fault('a1', 'fail', 'fail', 'fail');
    const drained = bed.moves(job, 'started').length;
    await bed.until(() => bed.moves(job, 'failed').length === 1 && bed.moves(job, 'started').length === drained + 2, 'a1 failed going home, the next move started');
    expect(bed.core.hub.cancel(job.jobId, 'admin')).toMatchObject({ ok: true });
    const end = await bed.finish(job);
    expect(end).toMatchObject({ ok: false, code: 'XH_ERR_REFUSED', cancelled: true });
    expect(end.message).toMatch(/^the roll was cancelled: group 1\/1 \(xen1\): back online, but not every domU is home: .*a1: 3 attempts failed \(XH_ERR_MIGRATION_FAILED/);
  });
});
