import { describe, expect, it } from 'vitest';
import type { JobRequest } from '../../../shared/protocol/ctl-jobs.js';
import { jobsBed, keepUnsettled, rollToEnd, type JobsBed } from './jobs-bed.js';
import type { SimSpec } from './sim-fleet.js';

// A move home that counted, but that the ledger of the Dom0 it left keeps as an ALARM (as the DRBD
// link lost during the handover leaves one): the restore's and the roll's restore phase's endings
// name it as a drain's ending does (drain-account.ts), and neither is a success.

const SPEC: SimSpec = { hosts: [{ name: 'xen1' }, { name: 'xen2' }], domus: [{ name: 'db1', home: 'xen1', replicas: ['xen1', 'xen2'], memMiB: 1024 }] };

/** xen2's agent moves db1 home to xen1 as the simulator does, and keeps an ALARM of that migration before it answers. */
function alarmOnWayHome(bed: JobsBed): void {
  const command = bed.fleet.command.bind(bed.fleet);
  bed.fleet.command = (h, c, reply) => {
    if (h.name !== 'xen2' || c.op !== 'migrate' || c.name !== 'db1') return command(h, c, reply);
    command(h, c, {
      progress: (line) => reply.progress(line),
      done: (ok, code, message, data) => {
        keepUnsettled(bed, h, 'db1', 'xen1', c.operationId, 'ALARM: the DRBD replication link of r-db1 was lost during the move');
        h.publish();
        reply.done(ok, code, message, data);
      },
    });
  };
}

const HELD = /^db1 runs on xen1, held by an ALARM xen2's ledger keeps \(the migrate xen2 ran with xen1 \(operation \S+, at \S+\) ended with its outcome unknown\); check both hosts by hand \(xenherd-agent status db1 on each\), then run xenherd-agent reconcile db1 on xen2$/;

describe('a move home that a ledger keeps as an ALARM', () => {
  it('restore: xen1 is online and db1 home, but the ending names the ALARM and is not ok', async () => {
    const bed = await jobsBed({ ...SPEC, domus: SPEC.domus.map((d) => ({ ...d, on: 'xen2' })) });
    alarmOnWayHome(bed);
    const job = bed.start({ kind: 'restore', host: 'xen1', timeoutMs: null });
    const end = await bed.finish(job);
    expect(bed.fleet.where('db1')).toEqual(['xen1']);
    expect(end).toMatchObject({ ok: false, code: 'XH_ERR_MIGRATION_UNKNOWN', moved: 1 });
    expect(end.remaining.map((l) => [l.name, l.host, l.blocker.kind])).toEqual([['db1', 'xen1', 'alarm']]);
    expect(end.remaining[0]!.message).toMatch(HELD);
    expect(end.message).toBe(`xen1 is online and every domU of it is home (1 moved), but 1 move(s) ended in an ALARM a ledger keeps: ${end.remaining[0]!.message}`);
    expect(bed.fleet.host('xen1').maintenance.state).toBe('online');
  });

  it("roll: the group's restore brings db1 home, but the roll ends there naming the ALARM, not \"every domU is home\"", async () => {
    const bed = await jobsBed(SPEC);
    alarmOnWayHome(bed);
    const roll: JobRequest = { kind: 'roll', hosts: ['xen1'], reboot: 'wait', maxParallel: null, coldFallback: false, timeoutMs: null };
    const job = bed.start(roll);
    expect(await rollToEnd(bed, job)).toEqual([['xen1']]);
    const end = job.end!;
    expect(bed.fleet.where('db1')).toEqual(['xen1']);
    expect(end).toMatchObject({ ok: false, code: 'XH_ERR_MIGRATION_UNKNOWN', moved: 2 });
    expect(end.remaining.map((l) => [l.name, l.host, l.blocker.kind])).toEqual([['db1', 'xen1', 'alarm']]);
    expect(end.remaining[0]!.message).toMatch(HELD);
    expect(end.message).toBe(`group 1/1 (xen1): back online and every domU is home, but 1 move(s) ended in an ALARM a ledger keeps: ${end.remaining[0]!.message}; the roll stops here; xen1 was rebooted in this roll: no host of this roll is left to reboot (asked again as it was, the roll would drain and reboot it again)`);
  });
});
