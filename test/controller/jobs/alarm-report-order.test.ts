import { describe, expect, it } from 'vitest';
import { interceptMigrate, jobsBed, keepUnsettled } from './jobs-bed.js';
import type { SimSpec } from './sim-fleet.js';

// Both agents announce that they report the ALARMs their ledgers keep (link feature `unsettled`).
const SPEC: SimSpec = {
  hosts: [
    { name: 'xen1', announces: ['unsettled'] },
    { name: 'xen2', announces: ['unsettled'] },
  ],
  domus: [{ name: 'db1', home: 'xen1', replicas: ['xen1', 'xen2'], memMiB: 1024 }],
};
const DRAIN = { kind: 'drain', host: 'xen1', maxParallel: null, coldFallback: false, allowPartial: false, timeoutMs: null } as const;
const ALARM = "ALARM: db1 moved from xen1 to xen2 and runs on xen2, but the DRBD replication link of r1 was lost during the move while both Dom0s were Primary; xen1's ledger keeps it as unsettled until `xenherd-agent reconcile db1` on xen1";

/**
 * xen1's agent moves db1 to xen2, keeps the DRBD-cut ALARM in its ledger and answers it. Each Dom0
 * reports on its own link: LATE's report (xen1's: db1 gone and the record; xen2's: db1 running)
 * reaches the controller 3 s after the answer, the other's before it.
 */
async function cutWithLateReport(late: 'xen1' | 'xen2') {
  const bed = await jobsBed(SPEC);
  interceptMigrate(bed, 'xen1', 'db1', (c, reply) => {
    const src = bed.fleet.host('xen1');
    const dst = bed.fleet.host('xen2');
    bed.clock.schedule(5_000, () => {
      src.domains.delete('db1');
      dst.domains.set('db1', { name: 'db1', memMiB: 1024, vcpus: 1, state: 'running', migration: null });
      keepUnsettled(bed, src, 'db1', 'xen2', c.operationId, ALARM);
      for (const h of [src, dst]) {
        if (h.name === late) bed.clock.schedule(3_000, () => h.publish());
        else h.publish();
      }
      reply.done(false, 'XH_ERR_MIGRATION_UNKNOWN', ALARM);
    });
  });
  return bed;
}

describe("a drain's move answered with the DRBD-cut ALARM, whichever host's report reaches the controller last", () => {
  const endings: string[] = [];
  for (const late of ['xen1', 'xen2'] as const) {
    it(`${late}'s report after the answer: the move is that ALARM, db1 is named where it runs, and xen1 is in maintenance`, async () => {
      const bed = await cutWithLateReport(late);
      const job = bed.start(DRAIN);
      const end = await bed.finish(job);
      expect(bed.moves(job).filter((m) => m.phase !== 'progress').at(-1)).toMatchObject({ name: 'db1', phase: 'alarm', line: `XH_ERR_MIGRATION_UNKNOWN: xen1's agent: ${ALARM}` });
      expect(end).toMatchObject({ ok: false, code: 'XH_ERR_MIGRATION_UNKNOWN', moved: 0 });
      expect(end.remaining.map((l) => [l.name, l.host, l.blocker.kind])).toEqual([['db1', 'xen2', 'alarm']]);
      expect(end.message).toBe(
        `xen1 is empty and in maintenance (0 domU(s) moved), but 1 domU(s) left xen1 under an unsettled ALARM: db1 runs on xen2, held by an ALARM xen1's ledger keeps (xen1's agent: ${ALARM}); check both hosts by hand (xenherd-agent status db1 on each), then run xenherd-agent reconcile db1 on xen1`,
      );
      expect(bed.fleet.host('xen1').maintenance.state).toBe('maintenance');
      endings.push(end.message);
    });
  }

  it('both orders end in the same words', () => {
    expect(endings).toHaveLength(2);
    expect(endings[0]).toBe(endings[1]);
  });
});
