import { describe, expect, it } from 'vitest';
import { expectGoldenLog } from './golden-log.js';
import { jobsBed, SPREAD } from './jobs-bed.js';
import { jobsText } from '../../../controller/ctl/commands/jobs.js';
import { JobsAnswerReadSchema, JobsListingSchema, listingOf } from '../../../controller/ctl/jobs-answer.js';

const DRAIN = { kind: 'drain', host: 'xen1', maxParallel: null, coldFallback: false, allowPartial: false, timeoutMs: null } as const;

describe('the drain lives on the agents: controller restarts, two controllers, Dom0 reboots', () => {
  it('a controller restart mid-drain: the re-run picks up the same operation from the flag and completes it', async () => {
    const bed = await jobsBed(SPREAD);
    const job = bed.start(DRAIN);
    await bed.until(() => bed.moves(job, 'moved').length === 1 && bed.moves(job, 'started').length === 2, 'a move done, one in flight');
    const op = bed.fleet.host('xen1').maintenance.operationId;
    bed.core.close();
    await bed.clock.advance(0);
    expect(job.end).toMatchObject({ ok: false });
    bed.core = bed.newCore('ctl-a');
    await bed.clock.advance(0);
    const again = bed.start(DRAIN);
    const end = await bed.finish(again);
    expect(end).toMatchObject({ ok: true });
    expect(again.events.find((e) => e.type === 'note')).toMatchObject({ line: `continuing drain operation ${op} of xen1` });
    expect(bed.fleet.host('xen1').maintenance).toMatchObject({ state: 'maintenance', operationId: op });
    expect(Object.values(bed.fleet.host('xen1').ledger.away).every((a) => a.operationId === op)).toBe(true);
    expect(bed.fleet.host('xen1').domains.size).toBe(0);
    bed.neverTwice();
    expectGoldenLog('restart/a-controller-restart-mid-drain-the-re-run-picks-up-the-same', bed.logs);
  });

  it('a drain the controller stopping cuts ends saying so and how to go on: no ALARM on its stream, its record or the journal', async () => {
    const bed = await jobsBed(SPREAD);
    const job = bed.start(DRAIN);
    await bed.until(() => bed.moves(job, 'moved').length === 1 && bed.moves(job, 'started').length === 2, 'a move done, one in flight');
    const op = bed.fleet.host('xen1').maintenance.operationId;
    let closed = false;
    void bed.core.close().then(() => (closed = true));
    await bed.clock.advance(0);
    expect(closed).toBe(true);
    // the move under way when the controller stopped: left to its agent, not an alarm
    expect(bed.moves(job).filter((m) => m.name === 'b1').at(-1)).toMatchObject({ phase: 'left' });
    expect(bed.moves(job, 'alarm')).toEqual([]);
    const end = job.end;
    expect(end).toMatchObject({ ok: false, code: 'XH_ERR_CONTROLLER_UNREACHABLE', moved: 1 });
    expect(end?.message).toContain(`the drain was cut by the controller stopping (a restart or an upgrade of xenherd-controller), not by anything going wrong: run the same command again (\`xenherdctl drain xen1\`); once this controller is back it continues the same operation (${op}) where it stopped; should this controller stay down, a standby controller the Dom0s then report to continues the same operation (${op}) where it stopped once this controller's hold on them lapses (60 s;`);
    expect(end?.remaining.map((l) => [l.name, l.blocker.kind])).toEqual([
      ['a2', 'not-started'],
      ['b1', 'left-to-agent'],
      ['b2', 'not-started'],
    ]);
    expect(end?.remaining.map((l) => l.message).join('\n')).not.toMatch(/ALARM|unreachable/);
    const record = bed.core.hub.finished()[0];
    expect(record).toMatchObject({ jobId: job.jobId, stopReason: 'aborted', code: 'XH_ERR_CONTROLLER_UNREACHABLE', message: end?.message });
    expect(bed.logs.filter((l) => l.level >= 40 && /job-ctl-a-1/.test(l.msg))).toEqual([]);
    // restarted, the controller has no job of it in memory; its flag on xen1 says what was cut, and `jobs` says how to go on
    bed.core = bed.newCore('ctl-a');
    await bed.clock.advance(0);
    const after = bed.core.jobs();
    expect([after.jobs, after.finished]).toEqual([[], []]);
    expect(after.cut).toEqual([{ host: 'xen1', state: 'draining', operationId: op, since: expect.any(Number) }]);
    const text = jobsText(JobsListingSchema.parse(listingOf(JobsAnswerReadSchema.parse(after))));
    expect(text).toContain(`NO JOB ON IT (this controller's operation, cut by a stop or restart of the controller, or ended short; the Dom0 stays out of service)\n  xen1: draining since `);
    expect(text).toContain(`(operation ${op}): \`xenherdctl drain xen1\` continues it\n`);
    // once a drain of it runs again, it is that job's, no longer listed as cut
    const again = bed.start(DRAIN);
    await bed.clock.advance(0);
    expect(bed.core.jobs().cut).toEqual([]);
    expect(await bed.finish(again)).toMatchObject({ ok: true });
    expect(bed.core.jobs().cut).toEqual([]);
  });

  it("two controllers racing for one drain: the agent's maintenance owner refuses the second", async () => {
    const bed = await jobsBed(SPREAD);
    const other = bed.newCore('ctl-b');
    await bed.clock.advance(0);
    const a = bed.start(DRAIN);
    await bed.until(() => bed.moves(a, 'started').length === 1, 'a move');
    const b = bed.start(DRAIN, other);
    const refused = await bed.finish(b);
    expect(refused).toMatchObject({ ok: false, code: 'XH_ERR_LOCKED', moved: 0 });
    expect(refused.message).toMatch(/xen1 refused to be set draining: .*\(the flag is draining, operation ctl-a-\d+, owner ctl-a, its lease runs \d+ s more\)/);
    // the agent names itself in its refusal; after "xen1 refused …" it reads as "it"
    expect(refused.message).toMatch(/^xen1 refused to be set draining: it is draining for operation ctl-a-\d+ of ctl-a /);
    expect(await bed.finish(a)).toMatchObject({ ok: true, moved: 4 });
    expect(bed.fleet.host('xen1').commands.filter((c) => c.op === 'migrate')).toHaveLength(4);
    bed.neverTwice();
    expectGoldenLog('restart/two-controllers-racing-for-one-drain-the-agent-s-maintenance', bed.logs);
  });

  it('when the first controller dies, its lease lapses and the second continues the same drain', async () => {
    const bed = await jobsBed(SPREAD);
    const other = bed.newCore('ctl-b');
    const a = bed.start(DRAIN);
    await bed.until(() => bed.moves(a, 'moved').length === 1, 'a move');
    const op = bed.fleet.host('xen1').maintenance.operationId;
    bed.core.close();
    const refused = await bed.finish(bed.start(DRAIN, other));
    expect(refused).toMatchObject({ code: 'XH_ERR_LOCKED' });
    // the refusal says how long to wait, and waiting that long is enough
    const wait = /; if ctl-a is gone \(this controller a standby taking over\), run the same command again in (\d+) s, once its lease has lapsed: this controller then continues the same operation;/.exec(refused.message);
    expect(wait?.[1]).toBeDefined();
    await bed.clock.advance(Number(wait?.[1]) * 1000);
    const b = bed.start(DRAIN, other);
    expect(await bed.finish(b)).toMatchObject({ ok: true });
    expect(bed.fleet.host('xen1').maintenance).toMatchObject({ state: 'maintenance', operationId: op, owner: 'ctl-b' });
    bed.neverTwice();
    expectGoldenLog('restart/when-the-first-controller-dies-its-lease-lapses-and-the-seco', bed.logs);
  });

  it('a Dom0 reboot in maintenance keeps the flag and starts nothing; restore brings every domU home and clears the ledger', async () => {
    const bed = await jobsBed(SPREAD);
    await bed.finish(bed.start(DRAIN));
    const x1 = bed.fleet.host('xen1');
    x1.reboot();
    await bed.clock.advance(20_000);
    expect(bed.core.hosts().hosts.find((h) => h.host === 'xen1')?.reachable).toBe(false);
    x1.restartAgent([bed.core]);
    await bed.clock.advance(1_000);
    const view = bed.core.hosts().hosts.find((h) => h.host === 'xen1');
    expect(view).toMatchObject({ reachable: true, bootId: 'boot-xen1-1', maintenance: { state: 'maintenance' }, domains: 0 });
    const end = await bed.finish(bed.start({ kind: 'restore', host: 'xen1', timeoutMs: null }));
    expect(end).toMatchObject({ ok: true, moved: 4 });
    expect(x1.maintenance.state).toBe('online');
    expect([...x1.domains.keys()].sort()).toEqual(['a1', 'a2', 'b1', 'b2']);
    for (const h of bed.fleet.hosts.values()) expect([h.name, h.ledger.away, h.ledger.visitors]).toEqual([h.name, {}, {}]);
    bed.neverTwice();
    expectGoldenLog('restart/a-dom0-reboot-in-maintenance-keeps-the-flag-and-starts-nothi', bed.logs);
  });
});
