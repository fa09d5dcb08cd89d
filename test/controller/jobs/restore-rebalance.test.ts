import { describe, expect, it } from 'vitest';
import { expectGoldenLog } from './golden-log.js';
import type { SimSpec } from './sim-fleet.js';
import { jobsBed, SPREAD } from './jobs-bed.js';
import { unsettled } from '../states.js';

const DRAIN = { kind: 'drain', host: 'xen1', maxParallel: null, coldFallback: false, allowPartial: false, timeoutMs: null } as const;
const RESTORE = { kind: 'restore', host: 'xen1', timeoutMs: null } as const;

describe('restore and rebalance', () => {
  it('restore with visitors parked at home: they go to their own home first, then every domU of xen1 comes back', async () => {
    // xen1 has room for 6 GiB + reserve; xen3's 4 GiB visitors sit on it; xen1's own 4 GiB domUs are on xen2
    const spec: SimSpec = {
      hosts: [{ name: 'xen1', totalMiB: 13_312 }, { name: 'xen2' }, { name: 'xen3' }],
      domus: [
        { name: 'mine1', home: 'xen1', replicas: ['xen1', 'xen2'], memMiB: 4096, on: 'xen2' },
        { name: 'mine2', home: 'xen1', replicas: ['xen1', 'xen2'], memMiB: 4096, on: 'xen2' },
        { name: 'guest1', home: 'xen3', replicas: ['xen1', 'xen3'], memMiB: 4096, on: 'xen1' },
        { name: 'guest2', home: 'xen3', replicas: ['xen1', 'xen3'], memMiB: 4096, on: 'xen1' },
      ],
    };
    const bed = await jobsBed(spec);
    const job = bed.start(RESTORE);
    const end = await bed.finish(job);
    // mine1 fits at once; mine2 needs one visitor out of the way (only as many as needed move)
    expect(end).toMatchObject({ ok: true, moved: 3 });
    const order = bed.moves(job, 'moved').map((m) => m.name);
    expect(order).toContain('guest1');
    expect(order.indexOf('guest1')).toBeLessThan(order.indexOf('mine2'));
    expect([bed.fleet.where('mine1'), bed.fleet.where('mine2'), bed.fleet.where('guest1'), bed.fleet.where('guest2')]).toEqual([['xen1'], ['xen1'], ['xen3'], ['xen1']]);
    expect(bed.fleet.host('xen1').ledger).toMatchObject({ away: {}, visitors: { guest2: { home: 'xen3' } } });
    expect(Object.keys(bed.fleet.host('xen3').ledger.away)).toEqual(['guest2']);
    expect(bed.fleet.host('xen1').maintenance.state).toBe('online');
    bed.neverTwice();
    expectGoldenLog('restore-rebalance/restore-with-visitors-parked-at-home-they-go-to-their-own-ho', bed.logs);
  });

  it('restore reports leftovers with reasons and still brings the rest home', async () => {
    const spec: SimSpec = { ...SPREAD, domus: SPREAD.domus.map((d) => (d.name === 'a1' ? { ...d, on: 'xen2', state: 'paused' as const } : d.home === 'xen1' ? { ...d, on: d.replicas[1] } : d)) };
    const bed = await jobsBed(spec);
    const end = await bed.finish(bed.start(RESTORE));
    expect(end).toMatchObject({ ok: false, moved: 3 });
    expect(end.remaining.map((l) => l.message)).toEqual(['a1 is paused: only a running domU is live-migrated (resume or stop it first)']);
    expectGoldenLog('restore-rebalance/restore-reports-leftovers-with-reasons-and-still-brings-the', bed.logs);
  });

  it("restore does not wait on a migration whose sender's half has stood over a minute: an ALARM leftover, the rest still comes home", async () => {
    const spec: SimSpec = {
      hosts: [{ name: 'xen1' }, { name: 'xen2' }],
      domus: [
        { name: 'stuck', home: 'xen1', replicas: ['xen1', 'xen2'], memMiB: 1024, on: 'xen2' },
        { name: 'fine', home: 'xen1', replicas: ['xen1', 'xen2'], memMiB: 1024, on: 'xen2' },
      ],
    };
    const bed = await jobsBed(spec);
    // stuck's way home ended without its final handshake (its agent died meanwhile): both halves stand
    const xen1 = bed.fleet.host('xen1');
    const xen2 = bed.fleet.host('xen2');
    const row = xen2.domains.get('stuck');
    if (!row) throw new Error('stuck is not on xen2');
    row.migration = 'migratedaway';
    xen1.domains.set('stuck', { ...row, migration: 'incoming' });
    xen2.publish();
    xen1.publish();
    const job = bed.start(RESTORE);
    await bed.clock.advance(30_000);
    expect(job.end).toBeNull(); // a half younger than a minute may be a handshake still running: waited for
    const end = await bed.finish(job, 10 * 60_000);
    expect(end).toMatchObject({ ok: false, code: 'XH_ERR_MIGRATION_UNKNOWN', moved: 1 });
    expect(end.remaining.map((l) => l.message)).toEqual([
      expect.stringMatching(/^ALARM stuck: stuck--migratedaway has stood on xen2 for \d+ s: a migration of it from xen2 ended without its final handshake/),
    ]);
    expect(bed.fleet.where('fine')).toEqual(['xen1']);
    expect(xen2.domains.get('stuck')?.migration).toBe('migratedaway'); // nothing was done to it
    // and it stays in front of a person after the job: status lists it, where marks the domU
    expect(bed.core.status().alerts).toEqual([expect.objectContaining({ id: 'migration-stranded:stuck', hosts: ['xen1', 'xen2'], message: expect.stringMatching(/^stuck--migratedaway has stood on xen2 for \d+ s: a migration of stuck from there ended without its final handshake, .*; stuck--incoming \(the receiving half\) stands on xen1\. /) })]);
    const where = bed.core.where('stuck');
    expect(where.ok && where.value.matches.map((m) => [m.name, m.alerts])).toEqual([['stuck', ['migration-stranded:stuck']]]);
  });

  it('restore leaves a domU whose migration a ledger keeps as unsettled to a person: an ALARM leftover whether it runs elsewhere or nowhere', async () => {
    const spec: SimSpec = {
      hosts: [{ name: 'xen1' }, { name: 'xen2' }],
      domus: [
        { name: 'odd', home: 'xen1', replicas: ['xen1', 'xen2'], memMiB: 1024, on: 'xen2' },
        { name: 'gone', home: 'xen1', replicas: ['xen1', 'xen2'], memMiB: 1024, on: null },
        { name: 'fine', home: 'xen1', replicas: ['xen1', 'xen2'], memMiB: 1024, on: 'xen2' },
      ],
    };
    const bed = await jobsBed(spec);
    // two migrations xen1 ran ended in an ALARM: its ledger keeps them until reconcile
    const xen1 = bed.fleet.host('xen1');
    xen1.ledger = { ...xen1.ledger, seq: xen1.ledger.seq + 1, unsettled: { odd: unsettled('xen2'), gone: unsettled('xen2', { operation: 'reverse', operationId: 'op-8' }) } };
    xen1.publish();
    await bed.clock.advance(0);
    const end = await bed.finish(bed.start(RESTORE));
    expect(end).toMatchObject({ ok: false, code: 'XH_ERR_MIGRATION_UNKNOWN', moved: 1 });
    expect(end.remaining.map((l) => [l.name, l.host, l.blocker.kind])).toEqual([
      ['gone', null, 'alarm'],
      ['odd', 'xen2', 'alarm'],
    ]);
    expect(end.message).toMatch(/^xen1 is online; 2 domU\(s\) of it are not home \(1 moved\): ALARM gone: the reverse xen1 ran with xen2 \(operation op-8, .*then run xenherd-agent reconcile gone on xen1 \(XH_ERR_MIGRATION_UNKNOWN\); nothing more was done to it; ALARM odd: /);
    expect(end.message).not.toContain('recorded away nowhere');
    expect([bed.fleet.where('odd'), bed.fleet.where('gone'), bed.fleet.where('fine')]).toEqual([['xen2'], [], ['xen1']]);
    expect(bed.core.status().alerts.map((a) => a.id)).toEqual(['migration-unsettled:gone@xen1', 'migration-unsettled:odd@xen1']);
  });

  it('restore names the domUs of the host that run nowhere and that no ledger records away, instead of calling them home', async () => {
    const spec: SimSpec = {
      hosts: [{ name: 'xen1' }, { name: 'xen2' }],
      domus: [
        { name: 'back', home: 'xen1', replicas: ['xen1', 'xen2'], memMiB: 1024, on: 'xen2' },
        // shut down at home, or lost with a host it ran on unrecorded: no Dom0 can tell which
        { name: 'quiet', home: 'xen1', replicas: ['xen1', 'xen2'], memMiB: 1024, on: null },
      ],
    };
    const bed = await jobsBed(spec);
    const end = await bed.finish(bed.start(RESTORE));
    expect(end).toMatchObject({ ok: true, moved: 1 });
    expect(end.message).toBe('xen1 is online and every domU of it is home (1 moved); not running anywhere, and recorded away nowhere: quiet (shut down, or lost with a host no ledger says it ran on: see xenherdctl where)');
    expect(bed.fleet.where('quiet')).toEqual([]); // nothing is started on a guess
  });

  it('rebalance while xen1 is in maintenance: balanced among the others, and it says which domUs wait for their home and what brings them back', async () => {
    const bed = await jobsBed(SPREAD);
    await bed.finish(bed.start(DRAIN));
    const end = await bed.finish(bed.start({ kind: 'rebalance', maxMoves: null, timeoutMs: null }));
    expect(end).toMatchObject({ ok: true, moved: 0 });
    expect(end.message).toMatch(/^the fleet is balanced: nothing to move \(score [0-9.]+\); 4 domU\(s\) stay away from homes that take none now, which a rebalance does not move: xen1 is in maintenance: 4 \(a1, a2, b1, b2\), `xenherdctl restore xen1` brings them home$/);
    // once they are home, nothing more is said
    await bed.finish(bed.start(RESTORE));
    expect((await bed.finish(bed.start({ kind: 'rebalance', maxMoves: null, timeoutMs: null }))).message).toMatch(/^the fleet is balanced: nothing to move \(score [0-9.]+\)$/);
  });

  it('rebalance after maintenance: xen1 put online without a restore, rebalance sends its domUs home', async () => {
    const bed = await jobsBed(SPREAD);
    await bed.finish(bed.start(DRAIN));
    expect(await bed.core.hub.plan({ kind: 'rebalance', maxMoves: null })).toMatchObject({ ok: true, value: { sets: [] } }); // home in maintenance: not healthy
    await bed.finish(bed.start({ kind: 'maintenance', host: 'xen1', on: false }));
    // they moved minutes ago (the drain): the cooldown holds them until 30 min have passed, and the plan says so
    const held = await bed.core.hub.plan({ kind: 'rebalance', maxMoves: null });
    expect(held).toMatchObject({ ok: true, value: { sets: [] } });
    expect(held.ok && held.value.leftovers.map((l) => `${l.name}:${l.blocker.kind}`).sort()).toEqual(['a1:cooldown', 'a2:cooldown', 'b1:cooldown', 'b2:cooldown']);
    await bed.clock.advance(31 * 60_000);
    const plan = await bed.core.hub.plan({ kind: 'rebalance', maxMoves: null });
    expect(plan.ok && plan.value.kind === 'rebalance' && plan.value.sets.flat().map((m) => `${m.name}>${m.to}`).sort()).toEqual(['a1>xen1', 'a2>xen1', 'b1>xen1', 'b2>xen1']);
    const end = await bed.finish(bed.start({ kind: 'rebalance', maxMoves: null, timeoutMs: null }));
    expect(end).toMatchObject({ ok: true, moved: 4 });
    expect([...bed.fleet.host('xen1').domains.keys()].sort()).toEqual(['a1', 'a2', 'b1', 'b2']);
    const again = await bed.finish(bed.start({ kind: 'rebalance', maxMoves: null, timeoutMs: null }));
    expect(again.message).toMatch(/the fleet is balanced: nothing to move/);
    expectGoldenLog('restore-rebalance/rebalance-after-maintenance-xen1-put-online-without-a-restor', bed.logs);
  });

  it('rebalance --apply while the domUs away from home are in their cooldown: nothing moves, and it ends saying which stay away (not "balanced")', async () => {
    const bed = await jobsBed(SPREAD);
    await bed.finish(bed.start(DRAIN));
    await bed.finish(bed.start({ kind: 'maintenance', host: 'xen1', on: false }));
    const end = await bed.finish(bed.start({ kind: 'rebalance', maxMoves: null, timeoutMs: null }));
    expect(end).toMatchObject({ ok: false, code: 'XH_ERR_REFUSED', moved: 0 });
    expect(end.message).toMatch(/^nothing to move now \(score \d\.\d{3}\); 4 domU\(s\) stay away from home: /);
    expect(end.remaining.map((l) => l.blocker.kind)).toEqual(['cooldown', 'cooldown', 'cooldown', 'cooldown']);
  });

  it('rebalance waits while a drain runs in this controller', async () => {
    const bed = await jobsBed(SPREAD);
    await bed.clock.advance(31 * 60_000);
    const drain = bed.start({ ...DRAIN, host: 'xen3' });
    const plan = await bed.core.hub.plan({ kind: 'rebalance', maxMoves: null });
    expect(plan.ok && plan.value.kind === 'rebalance' && plan.value.paused).toMatch(/a drain of xen3 runs/);
    const end = await bed.finish(bed.start({ kind: 'rebalance', maxMoves: null, timeoutMs: null }));
    expect(end).toMatchObject({ ok: false, code: 'XH_ERR_REFUSED' });
    expect(end.message).toMatch(/nothing moved: a drain of xen3 runs/);
    await bed.finish(drain);
    expectGoldenLog('restore-rebalance/rebalance-waits-while-a-drain-runs-in-this-controller', bed.logs);
  });

  it('maintenance on is refused while domUs run; off is refused while a job works on the host', async () => {
    const bed = await jobsBed(SPREAD);
    const on = await bed.finish(bed.start({ kind: 'maintenance', host: 'xen1', on: true }));
    expect(on).toMatchObject({ ok: false, code: 'XH_ERR_REFUSED' });
    expect(on.message).toMatch(/4 domU\(s\) run there \(a1, a2, b1, b2\): `xenherdctl drain xen1` moves them/);
    const drain = bed.start(DRAIN);
    await bed.until(() => bed.moves(drain, 'started').length === 1, 'a move');
    const off = await bed.finish(bed.start({ kind: 'maintenance', host: 'xen1', on: false }, bed.core, 'bob'));
    expect(off).toMatchObject({ ok: false, code: 'XH_ERR_LOCKED' });
    expect(off.message).toBe(`a drain job (${drain.jobId}, by ctl:admin) already works on xen1: wait for it (\`xenherdctl jobs\`) or stop it: \`xenherdctl cancel ${drain.jobId}\` (no new moves; running ones finish)`);
    await bed.finish(drain);
    expect(await bed.finish(bed.start({ kind: 'maintenance', host: 'xen3', on: true }))).toMatchObject({ ok: false });
    expectGoldenLog('restore-rebalance/maintenance-on-is-refused-while-domus-run-off-is-refused-whi', bed.logs);
  });
});
