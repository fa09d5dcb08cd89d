import { describe, expect, it } from 'vitest';
import { expectGoldenLog } from './golden-log.js';
import type { JobRequest } from '../../../shared/protocol/ctl-jobs.js';
import type { SimSpec } from './sim-fleet.js';
import { jobsBed, rollToEnd } from './jobs-bed.js';

/** 6 hosts in 3 DRBD pairs, two domUs homed on each host. */
const SIX: SimSpec = {
  hosts: ['a1', 'a2', 'b1', 'b2', 'c1', 'c2'].map((name) => ({ name })),
  domus: [['a1', 'a2'], ['b1', 'b2'], ['c1', 'c2']].flatMap(([x, y]) =>
    [x as string, y as string].flatMap((home) => [1, 2].map((i) => ({ name: `${home}-${i}`, home, replicas: [x as string, y as string], memMiB: 1024 * i }))),
  ),
};

describe('rolling maintenance over 6 hosts', () => {
  it('groups never hold both hosts of a pair; each group drained, rebooted, restored; every domU home at the end', async () => {
    const bed = await jobsBed(SIX);
    const hosts = SIX.hosts.map((h) => h.name);
    const job = bed.start({ kind: 'roll', hosts, reboot: 'wait', maxParallel: null, coldFallback: false, timeoutMs: null });
    const rebooted = await rollToEnd(bed, job, 'the roll', (group) => {
      for (const h of group) {
        const d = bed.fleet.host(h);
        expect(d.domains.size).toBe(0);
        expect(d.maintenance.state).toBe('maintenance');
      }
    });
    expect(job.end).toMatchObject({ ok: true });
    const plan = job.events.find((e) => e.type === 'plan');
    expect(plan?.type === 'plan' && plan.plan.kind === 'roll' && plan.plan.groups.map((g) => g.hosts)).toEqual([
      ['a1', 'b1', 'c1'],
      ['a2', 'b2', 'c2'],
    ]);
    expect(rebooted).toEqual([
      ['a1', 'b1', 'c1'],
      ['a2', 'b2', 'c2'],
    ]);
    for (const d of SIX.domus) expect([d.name, bed.fleet.where(d.name)]).toEqual([d.name, [d.home]]);
    for (const h of bed.fleet.hosts.values()) {
      expect([h.name, h.maintenance.state, h.bootId]).toEqual([h.name, 'online', `boot-${h.name}-1`]);
      expect(h.ledger.away).toEqual({});
    }
    expect(bed.fleet.maxInFlight).toBeLessThanOrEqual(2);
    bed.neverTwice();
    expectGoldenLog('roll/groups-never-hold-both-hosts-of-a-pair-each-group-drained-re', bed.logs);
  });

  it('--group-size 2: no more than two hosts down at once, and still every domU home at the end', async () => {
    const bed = await jobsBed(SIX);
    const hosts = SIX.hosts.map((h) => h.name);
    const job = bed.start({ kind: 'roll', hosts, reboot: 'wait', maxParallel: null, coldFallback: false, timeoutMs: null, groupSize: 2 });
    const rebooted = await rollToEnd(bed, job);
    expect(job.end).toMatchObject({ ok: true });
    expect(rebooted.length).toBeGreaterThanOrEqual(3);
    expect(rebooted.filter((g) => g.length > 2)).toEqual([]);
    expect(rebooted.flat().sort()).toEqual(hosts);
    for (const d of SIX.domus) expect([d.name, bed.fleet.where(d.name)]).toEqual([d.name, [d.home]]);
    bed.neverTwice();
  });

  it('a group whose hosts do not come back in time ends the roll with the group in maintenance', async () => {
    const bed = await jobsBed(SIX, { rebootWaitMs: 120_000 });
    const job = bed.start({ kind: 'roll', hosts: ['a1', 'a2'], reboot: 'wait', maxParallel: null, coldFallback: false, timeoutMs: null });
    const end = await bed.finish(job);
    expect(end).toMatchObject({ ok: false, code: 'XH_ERR_TIMEOUT' });
    expect(end.message).toMatch(/group 1\/2 \(a1\): a1 did not come back with a new boot id within 120 s; the group stays in maintenance/);
    expect(bed.fleet.host('a1').maintenance.state).toBe('maintenance');
    expectGoldenLog('roll/a-group-whose-hosts-do-not-come-back-in-time-ends-the-roll-w', bed.logs);
  });

  it('cancelled mid-drain (Ctrl-C), the same roll asked again picks up the draining host and finishes', async () => {
    const bed = await jobsBed(SIX);
    const req: JobRequest = { kind: 'roll', hosts: ['a2', 'a1'], reboot: 'wait', maxParallel: null, coldFallback: false, timeoutMs: null };
    const first = bed.start(req);
    await bed.until(() => bed.moves(first, 'started').length === 1, 'the first move out of a1');
    expect(bed.core.hub.cancel(first.jobId, 'admin')).toMatchObject({ ok: true });
    expect(await bed.finish(first)).toMatchObject({ ok: false });
    expect(bed.fleet.host('a1').maintenance.state).toBe('draining');
    const again = bed.start(req);
    await rollToEnd(bed, again, 'the roll asked again');
    expect(again.end, JSON.stringify(again.end)).toMatchObject({ ok: true });
    // the host left draining goes first, whatever order the hosts were given in
    const plan = again.events.find((e) => e.type === 'plan');
    expect(plan?.type === 'plan' && plan.plan.kind === 'roll' && plan.plan.groups.map((g) => g.hosts)).toEqual([['a1'], ['a2']]);
    for (const d of SIX.domus) expect([d.name, bed.fleet.where(d.name)]).toEqual([d.name, [d.home]]);
    for (const h of ['a1', 'a2']) expect(bed.fleet.host(h).maintenance.state).toBe('online');
    bed.neverTwice();
  });

  it('cancelled while it waits for a reboot: it says it was cancelled and after how long, not the limit it never reached', async () => {
    const bed = await jobsBed(SIX, { rebootWaitMs: 1_800_000 });
    const job = bed.start({ kind: 'roll', hosts: ['a1'], reboot: 'wait', maxParallel: null, coldFallback: false, timeoutMs: null });
    await bed.until(() => job.events.some((e) => e.type === 'reboot'), 'the reboot request');
    const asked = bed.clock.now();
    await bed.until(() => bed.clock.now() - asked >= 600_000, '10 min of waiting', 700_000);
    expect(bed.core.hub.cancel(job.jobId, 'admin')).toMatchObject({ ok: true });
    const end = await bed.finish(job);
    expect(end).toMatchObject({ ok: false, code: 'XH_ERR_REFUSED' });
    expect(end.message).toMatch(/^group 1\/1 \(a1\): a1 had not come back with a new boot id when the roll was cancelled, after 60\d s of waiting; the group stays in maintenance$/);
    expect(bed.fleet.host('a1').maintenance.state).toBe('maintenance');
  });
});
