import { describe, expect, it } from 'vitest';
import { interceptMigrate, jobsBed, keepUnsettled } from './jobs-bed.js';
import type { SimSpec } from './sim-fleet.js';

const SPEC: SimSpec = { hosts: [{ name: 'xen1' }, { name: 'xen2' }], domus: [{ name: 'db1', home: 'xen1', replicas: ['xen1', 'xen2'], memMiB: 1024 }] };
const DRAIN = { kind: 'drain', host: 'xen1', maxParallel: null, coldFallback: false, allowPartial: false, timeoutMs: null } as const;
const ALARM = "ALARM: db1 moved from xen1 to xen2 and runs on xen2, but the DRBD replication link of r1 was lost during the move while both Dom0s were Primary (…): xen2's disk may lack writes db1 made on xen1 after 00:00:03 UTC";

/**
 * xen1's agent moves db1 to xen2 and answers an ALARM it keeps in its ledger (a link lost mid-move:
 * the domU runs at the target, its disks may differ). RECORD_FIRST: the report carrying the
 * unsettled record reaches the controller before the answer, or only while the move is settled.
 */
async function movedBed(recordFirst: boolean, record = true) {
  const bed = await jobsBed(SPEC);
  interceptMigrate(bed, 'xen1', 'db1', (c, reply) => {
    const src = bed.fleet.host('xen1');
    const dst = bed.fleet.host('xen2');
    bed.clock.schedule(5_000, () => {
      src.domains.delete('db1');
      dst.domains.set('db1', { name: 'db1', memMiB: 1024, vcpus: 1, state: 'running', migration: null });
      const keep = (): void => {
        if (!record) return;
        keepUnsettled(bed, src, 'db1', 'xen2', c.operationId, ALARM);
        src.publish();
      };
      if (recordFirst) keep();
      else bed.clock.schedule(0, keep);
      src.publish();
      dst.publish();
      reply.done(false, 'XH_ERR_MIGRATION_UNKNOWN', ALARM);
    });
  });
  return bed;
}

describe("a move the source's agent answers with an ALARM it keeps, though the domU runs at the target", () => {
  for (const recordFirst of [true, false]) {
    it(`ends as an alarm in the agent's own words (its record reported ${recordFirst ? 'before' : 'after'} the answer)`, async () => {
      const bed = await movedBed(recordFirst);
      const job = bed.start(DRAIN);
      const end = await bed.finish(job);
      expect(end).toMatchObject({ ok: false, code: 'XH_ERR_MIGRATION_UNKNOWN' });
      const last = bed.moves(job).filter((m) => m.phase !== 'progress').at(-1);
      expect(last).toMatchObject({ name: 'db1', phase: 'alarm', line: `XH_ERR_MIGRATION_UNKNOWN: xen1's agent: ${ALARM}` });
      // the ending says where it runs and what holds it, not that it remains on xen1
      expect(end.remaining.map((l) => [l.name, l.host, l.blocker.kind])).toEqual([['db1', 'xen2', 'alarm']]);
      expect(end.remaining[0]?.message).toBe(`db1 runs on xen2, held by an ALARM xen1's ledger keeps (xen1's agent: ${ALARM}); check both hosts by hand (xenherd-agent status db1 on each), then run xenherd-agent reconcile db1 on xen1`);
      // xen1 runs nothing any more: it is in maintenance, and the ending names the ALARM as what is unsettled
      expect(end.message).toBe(`xen1 is empty and in maintenance (0 domU(s) moved), but 1 domU(s) left xen1 under an unsettled ALARM: ${end.remaining[0]?.message}`);
      expect(bed.fleet.host('xen1').maintenance.state).toBe('maintenance');
    });
  }

  it('an agent that keeps no record of it (an older one): settled at the target, moved', async () => {
    const bed = await movedBed(false, false);
    const job = bed.start(DRAIN);
    await bed.finish(job);
    expect(bed.moves(job).filter((m) => m.phase !== 'progress').at(-1)).toMatchObject({ name: 'db1', phase: 'moved' });
  });
});

describe('a move held by an ALARM whose domU runs nowhere', () => {
  // web1's moves fail at the source (it stays on xen1); db1's migration loses it on both Dom0s
  const TWO: SimSpec = { ...SPEC, domus: [...SPEC.domus, { name: 'web1', home: 'xen1', replicas: ['xen1', 'xen2'], memMiB: 1024 }] };
  const LOST = 'ALARM: migration of db1 to xen2 ended undefined and it runs on neither host; check both hosts by hand';

  it('is not counted as remaining on xen1: it runs nowhere, held by the ALARM, with the fix', async () => {
    const bed = await jobsBed(TWO);
    bed.fleet.fault('web1', 'fail', 'fail', 'fail');
    interceptMigrate(bed, 'xen1', 'db1', (c, reply) => {
      const src = bed.fleet.host('xen1');
      bed.clock.schedule(5_000, () => {
        src.domains.delete('db1');
        keepUnsettled(bed, src, 'db1', 'xen2', c.operationId, LOST);
        src.publish();
        reply.done(false, 'XH_ERR_MIGRATION_UNKNOWN', LOST);
      });
    });
    const job = bed.start(DRAIN);
    const end = await bed.finish(job);
    expect(end.remaining.map((l) => [l.name, l.host, l.blocker.kind])).toEqual([
      ['web1', 'xen1', 'failed'],
      ['db1', null, 'alarm'],
    ]);
    const db1 = end.remaining[1]!.message;
    expect(db1).toBe(`db1 runs nowhere, held by an ALARM xen1's ledger keeps (xen1's agent: ${LOST}); check both hosts by hand (xenherd-agent status db1 on each), then run xenherd-agent reconcile db1 on xen1`);
    expect(end.message).toMatch(/^the drain could not finish: 1 domU\(s\) remain on xen1 \(0 moved\); xen1 stays draining /);
    expect(end.message).toMatch(new RegExp(`; 1 domU\\(s\\) of xen1 run nowhere under an unsettled ALARM: db1 runs nowhere, held by an ALARM .*then run xenherd-agent reconcile db1 on xen1$`));
  });
});
