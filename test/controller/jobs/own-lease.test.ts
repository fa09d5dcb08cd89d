import { describe, expect, it } from 'vitest';
import { jobsBed, SPREAD } from './jobs-bed.js';

// A lease of this controller's own that no job carries on: the hub runs one job a host, so a
// drain or restore that meets one ends it and goes on (maintenance-lease.ts), instead of being
// refused as if another operation or controller held the Dom0.
const DRAIN = { kind: 'drain', host: 'xen1', maxParallel: null, coldFallback: false, allowPartial: false, timeoutMs: null } as const;
const RESTORE = { kind: 'restore', host: 'xen1', timeoutMs: null } as const;
const ENDED = /^xen1 was still draining for operation (\S+) of this controller, which no job of it carries on \(its end never reached xen1, or this controller restarted\): its lease \(\d+ s more\) is ended, not waited for$/;

describe("a drain or restore meeting this controller's own lease that no job carries on", () => {
  it('a restore right after this controller restarted mid-drain ends that lease and restores xen1', async () => {
    const bed = await jobsBed(SPREAD);
    const drain = bed.start(DRAIN);
    await bed.until(() => bed.moves(drain, 'moved').length === 1, 'a move done');
    const op = bed.fleet.host('xen1').maintenance.operationId;
    void bed.core.close();
    await bed.clock.advance(0);
    bed.core = bed.newCore('ctl-a');
    await bed.clock.advance(0);
    const restore = bed.start(RESTORE);
    const end = await bed.finish(restore);
    expect(end, end.message).toMatchObject({ ok: true });
    const note = restore.events.find((e) => e.type === 'note' && ENDED.test(e.line));
    expect(note).toMatchObject({ line: expect.stringContaining(`for operation ${op} of this controller`) });
    expect(bed.fleet.host('xen1').maintenance.state).toBe('online');
    bed.neverTwice();
  });

  it('a restore of a Dom0 back from a power loss mid-drain is not refused for the lease its agent gives the ended drain', async () => {
    const bed = await jobsBed(SPREAD);
    const drain = bed.start(DRAIN);
    await bed.until(() => bed.moves(drain, 'moved').length === 1, 'a move done');
    const x1 = bed.fleet.host('xen1');
    x1.reboot();
    expect(await bed.finish(drain)).toMatchObject({ ok: false });
    x1.restartAgent([bed.core]);
    await bed.clock.advance(1_000);
    expect(x1.maintenance.state).toBe('draining');
    const restore = bed.start(RESTORE);
    const end = await bed.finish(restore);
    expect(end.code, end.message).not.toBe('XH_ERR_LOCKED');
    expect(restore.events.some((e) => e.type === 'note' && ENDED.test(e.line))).toBe(true);
    expect(x1.maintenance.state).toBe('online');
  });

  it("another controller's lease still refuses, naming the wait", async () => {
    const bed = await jobsBed(SPREAD);
    const other = bed.newCore('ctl-b');
    const drain = bed.start(DRAIN);
    await bed.until(() => bed.moves(drain, 'moved').length === 1, 'a move done');
    void bed.core.close();
    await bed.clock.advance(0);
    const refused = await bed.finish(bed.start(RESTORE, other));
    expect(refused).toMatchObject({ ok: false, code: 'XH_ERR_LOCKED' });
    expect(refused.message).toMatch(/; if ctl-a is gone \(this controller a standby taking over\), run the same command again in \d+ s/);
  });
});
