import { describe, expect, it } from 'vitest';
import type { JobRequest } from '../../../shared/protocol/ctl-jobs.js';
import { expectGoldenLog } from './golden-log.js';
import type { SimSpec } from './sim-fleet.js';
import { jobsBed, SPREAD, T0 } from './jobs-bed.js';

const DRAIN = { kind: 'drain', host: 'xen1', maxParallel: null, coldFallback: false, allowPartial: false, timeoutMs: null } as const;

/** xen1 runs n domUs replicated to xen2 or xen3 (alternating), of 1–4 GiB. */
const busy = (n: number): SimSpec => ({
  hosts: [{ name: 'xen1', totalMiB: 262_144 }, { name: 'xen2', totalMiB: 262_144 }, { name: 'xen3', totalMiB: 262_144 }],
  domus: Array.from({ length: n }, (_, i) => ({ name: `d${String(i).padStart(2, '0')}`, home: 'xen1', replicas: ['xen1', i % 2 === 0 ? 'xen2' : 'xen3'], memMiB: 1024 * (1 + (i % 4)) })),
});

describe('drain on the deterministic clock, fake agents over memory links', () => {
  it('moves every domU to the host holding its replica, spreads over xen2 and xen3, then sets maintenance', async () => {
    const bed = await jobsBed(SPREAD);
    const job = bed.start(DRAIN);
    const end = await bed.finish(job);
    expect(end).toMatchObject({ ok: true, code: null, moved: 4 });
    expect(bed.fleet.host('xen1').domains.size).toBe(0);
    expect(bed.fleet.host('xen1').maintenance).toMatchObject({ state: 'maintenance', owner: 'ctl-a' });
    expect(bed.fleet.where('a1')).toEqual(['xen2']);
    expect(bed.fleet.where('b1')).toEqual(['xen3']);
    // every away record names the drain's operation
    const op = bed.fleet.host('xen1').maintenance.operationId;
    expect(Object.values(bed.fleet.host('xen1').ledger.away).map((a) => [a.operationId, a.reason])).toEqual(Array(4).fill([op, 'drain']));
    // the audit trail: who, what, when, the result
    const audit = bed.logs.filter((l) => l['event'] === 'operator-action' || l['event'] === 'operator-action-done');
    expect(audit.map((l) => [l['event'], l['by'], l['action'], l['ok']])).toEqual([
      ['operator-action', 'ctl:admin', 'drain', undefined],
      ['operator-action-done', 'ctl:admin', 'drain', true],
    ]);
    bed.neverTwice();
    expectGoldenLog('drain/moves-every-domu-to-the-host-holding-its-replica-spreads-ove', bed.logs);
  });

  it('a host no agent reports as is refused before a job exists, naming the reporting host spelled otherwise', async () => {
    const bed = await jobsBed(SPREAD);
    const refused = bed.core.hub.start({ ...DRAIN, host: 'XEN1' }, 'admin', () => undefined);
    expect(refused).toEqual({ ok: false, error: { code: 'XH_ERR_NOT_FOUND', message: 'no agent of a host named XEN1 has reported to this controller (host names are spelled as their agents report them: xen1, not XEN1)' } });
    const others: JobRequest[] = [
      { kind: 'restore', host: 'xen9', timeoutMs: null },
      { kind: 'maintenance', host: 'xen9', on: true },
      { kind: 'roll', hosts: ['xen2', 'xen9'], reboot: 'wait', maxParallel: null, coldFallback: false, timeoutMs: null },
    ];
    for (const req of others) {
      const r = bed.core.hub.start(req, 'admin', () => undefined);
      expect(r.ok ? 'started' : r.error.message).toBe('no agent of a host named xen9 has reported to this controller');
    }
    // no job was made, so nothing logged a start and nothing runs
    expect(bed.logs.filter((l) => l['event'] === 'operator-action')).toEqual([]);
    expect(bed.core.hub.list()).toEqual([]);
    const plan = await bed.core.hub.plan({ kind: 'drain', hosts: ['XEN1', 'xen9'], maxParallel: null });
    expect(plan.ok ? null : plan.error.message).toBe('no agent of XEN1, xen9 has reported to this controller (host names are spelled as their agents report them: xen1, not XEN1)');
    expect(bed.core.domains('Xen2')).toMatchObject({ ok: false, error: { code: 'XH_ERR_NOT_FOUND', message: expect.stringMatching(/: xen2, not Xen2\)$/) } });
    expect(bed.fleet.host('xen1').maintenance.state).toBe('online');
  });

  it('a Dom0 that is the only way out for some domUs and whose agent link is down: refused before anything changes, unless --allow-partial', async () => {
    const bed = await jobsBed(SPREAD);
    bed.fleet.host('xen2').crashAgent();
    // the link drop is seen (no close frame: the controller notices the silence)
    await bed.until(async () => {
      const plan = await bed.core.hub.plan({ kind: 'drain', hosts: ['xen1'] });
      return plan.ok && JSON.stringify(plan).includes('"unreachable"');
    }, 'xen2 unreachable');
    const end = await bed.finish(bed.start(DRAIN));
    expect(end).toMatchObject({ ok: false, code: 'XH_ERR_REFUSED', moved: 0 });
    expect(end.message).toMatch(/^2 domU\(s\) cannot leave xen1, so the drain would not finish; nothing was changed \(--allow-partial drains the rest\): a1: every host that could take it is unavailable: xen2 /);
    expect(bed.fleet.host('xen1').maintenance.state).toBe('online');
    // --allow-partial: what can leave does (b1, b2 to xen3), xen1 stays draining with a1, a2
    const partial = await bed.finish(bed.start({ ...DRAIN, allowPartial: true, timeoutMs: 60_000 }));
    expect(partial).toMatchObject({ ok: false, moved: 2 });
    expect(partial.remaining.map((l) => l.name).sort()).toEqual(['a1', 'a2']);
    expect(bed.fleet.host('xen1').maintenance.state).toBe('draining');
    bed.neverTwice();
  });

  it('keeps the limits: 1 out of the host by default; --max-parallel 2 runs two, never more in the fleet', async () => {
    const one = await jobsBed(busy(8));
    await one.finish(one.start(DRAIN));
    expect(one.fleet.maxInFlight).toBe(1);
    const two = await jobsBed(busy(8));
    const end = await two.finish(two.start({ ...DRAIN, maxParallel: 2 }));
    expect(end.ok).toBe(true);
    expect(two.fleet.maxInFlight).toBe(2);
    expect(two.clock.now() - T0).toBeLessThan(one.clock.now() - T0);
  });

  it('makespan of 40 domUs against the lower bound for the limits (completion from results, not polling)', async () => {
    const spec = busy(40);
    const bw = 100;
    const dur = (mem: number): number => (mem / bw) * 1000 + 500;
    const total = spec.domus.reduce((s, d) => s + dur(d.memMiB), 0);
    const bed = await jobsBed(spec);
    await bed.finish(bed.start(DRAIN));
    const seq = bed.clock.now() - T0;
    // 1 out of xen1 at a time: the bound is the sum of the migrations
    expect(seq / total).toBeLessThan(1.1);
    const par = await jobsBed(spec);
    await par.finish(par.start({ ...DRAIN, maxParallel: 2 }));
    const toX2 = spec.domus.filter((d) => d.replicas[1] === 'xen2').reduce((s, d) => s + dur(d.memMiB), 0);
    const bound = Math.max(total / 2, toX2, total - toX2);
    const ratio = (par.clock.now() - T0) / bound;
    expect(ratio).toBeLessThan(1.1);
    console.log(`drain of 40 domUs: 1 at a time ${(seq / 1000).toFixed(1)} s for a bound of ${(total / 1000).toFixed(1)} s (×${(seq / total).toFixed(3)}); 2 at a time ${((par.clock.now() - T0) / 1000).toFixed(1)} s for ${(bound / 1000).toFixed(1)} s (×${ratio.toFixed(3)})`);
    expectGoldenLog('drain/makespan-of-40-domus-against-the-lower-bound-for-the-limits', bed.logs);
  });

  it('memory pressure: refused before anything changes without --allow-partial; with it, the rest moves and xen1 stays draining', async () => {
    const tight: SimSpec = { ...SPREAD, hosts: [{ name: 'xen1' }, { name: 'xen2', totalMiB: 4096 }, { name: 'xen3' }] };
    const bed = await jobsBed(tight);
    const refused = await bed.finish(bed.start(DRAIN));
    expect(refused).toMatchObject({ ok: false, code: 'XH_ERR_REFUSED', moved: 0 });
    expect(refused.message).toMatch(/1 domU\(s\) cannot leave xen1, so the drain would not finish; nothing was changed \(--allow-partial drains the rest\)/);
    expect(refused.remaining.map((l) => [l.name, l.blocker.kind])).toEqual([['a2', 'no-memory']]); // a1 (2 GiB) takes xen2's room first
    expect(bed.fleet.host('xen1').maintenance.state).toBe('online');
    const partial = await bed.finish(bed.start({ ...DRAIN, allowPartial: true }));
    expect(partial).toMatchObject({ ok: false, moved: 3 });
    expect(partial.remaining.map((l) => l.name)).toEqual(['a2']);
    expect(partial.message).toMatch(/1 domU\(s\) remain on xen1 \(3 moved\); xen1 stays draining \(out of service/);
    expect(bed.fleet.host('xen1').maintenance.state).toBe('draining');
    expect([...bed.fleet.host('xen1').domains.keys()]).toEqual(['a2']);
    expectGoldenLog('drain/memory-pressure-refused-before-anything-changes-without-allo', bed.logs);
  });

  it('cancel (Ctrl-C): no new moves, the running one finishes; xen1 stays draining, and a re-run finishes it', async () => {
    const bed = await jobsBed(busy(4));
    const job = bed.start(DRAIN);
    await bed.until(() => bed.moves(job, 'started').length === 1, 'the first move');
    expect(bed.core.hub.cancel(job.jobId, 'admin')).toMatchObject({ ok: true, value: { stopping: true, inFlight: 1 } });
    const end = await bed.finish(job);
    expect(end).toMatchObject({ ok: false, moved: 1 });
    expect(end.remaining.map((l) => l.blocker)).toEqual(Array(3).fill({ kind: 'not-started', why: 'cancelled' }));
    expect(bed.fleet.host('xen1').maintenance.state).toBe('draining');
    const again = await bed.finish(bed.start(DRAIN));
    expect(again).toMatchObject({ ok: true, moved: 3 });
    expect(bed.moves(job, 'started').length + bed.fleet.host('xen1').commands.filter((c) => c.op === 'migrate').length).toBe(5);
    expectGoldenLog('drain/cancel-ctrl-c-no-new-moves-the-running-one-finishes-xen1-sta', bed.logs);
  });

  it('--timeout: stops starting moves when it runs out and ends with XH_ERR_TIMEOUT', async () => {
    const bed = await jobsBed(busy(6));
    const end = await bed.finish(bed.start({ ...DRAIN, timeoutMs: 25_000 }));
    expect(end).toMatchObject({ ok: false, code: 'XH_ERR_TIMEOUT' });
    expect(end.message).toMatch(/the drain ran out of time: \d domU\(s\) remain on xen1/);
    expect(end.remaining.some((l) => l.blocker.kind === 'not-started')).toBe(true);
    expectGoldenLog('drain/timeout-stops-starting-moves-when-it-runs-out-and-ends-with', bed.logs);
  });

  it('--timeout running out while the last move runs: nothing is left to start, so the drain finishes', async () => {
    const bed = await jobsBed(busy(1));
    const end = await bed.finish(bed.start({ ...DRAIN, timeoutMs: 2_000 }));
    expect(end).toMatchObject({ ok: true, code: null, moved: 1 });
    expect(bed.clock.now() - T0, 'the one move outlasted the timeout').toBeGreaterThan(2_000);
    expect(bed.fleet.host('xen1').maintenance.state).toBe('maintenance');
  });

  it('the same drain asked again follows the running one; another job on the host is refused', async () => {
    const bed = await jobsBed(busy(2));
    const first = bed.start(DRAIN);
    await bed.until(() => bed.moves(first, 'started').length === 1, 'a move');
    const follower = bed.start(DRAIN, bed.core, 'bob');
    expect(follower.events[0]).toMatchObject({ type: 'job', jobId: first.jobId, attached: true });
    // how to stop it: cancel, never Ctrl-C (a follower's only stops its watching)
    expect(bed.core.hub.start({ kind: 'restore', host: 'xen1', timeoutMs: null }, 'bob', () => undefined)).toMatchObject({
      ok: false,
      error: { code: 'XH_ERR_LOCKED', message: `a drain job (${first.jobId}, by ctl:admin) already works on xen1: wait for it (\`xenherdctl jobs\`) or stop it: \`xenherdctl cancel ${first.jobId}\` (no new moves; running ones finish)` },
    });
    await bed.finish(first);
    expect(follower.end).toEqual(first.end);
    expectGoldenLog('drain/the-same-drain-asked-again-follows-the-running-one-another-j', bed.logs);
  });
});
