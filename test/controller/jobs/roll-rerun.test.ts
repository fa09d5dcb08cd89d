import { describe, expect, it } from 'vitest';
import { jobsBed, rollToEnd, type JobsBed, type RunningJob } from './jobs-bed.js';
import { drains, notes, PAIR, reboots, ROLL, seen } from './roll-pair.js';

const firstGroup = (job: RunningJob): string => {
  const plan = job.events.find((e) => e.type === 'plan');
  if (plan?.type !== 'plan' || plan.plan.kind !== 'roll') throw new Error('no roll plan');
  return plan.plan.groups[0]?.hosts[0] as string;
};

/** Reboots HOST the roll asked for, its agent back 45 s later, and waits until the controller hears it with its new boot id. */
async function rebootHost(bed: JobsBed, host: string): Promise<void> {
  const d = bed.fleet.host(host);
  const before = d.bootId;
  d.reboot();
  bed.clock.schedule(45_000, () => d.restartAgent([bed.core]));
  await bed.until(() => seen(bed, host)?.reachable === true && seen(bed, host)?.bootId !== before, `${host} back`);
}

describe('a roll asked again continues where it stopped', () => {
  it('controller restarted while the first group restores: the rerun restores it; no second drain, no second reboot request', async () => {
    const bed = await jobsBed(PAIR);
    const first = bed.start(ROLL);
    await bed.until(() => reboots(first).length > 0, 'the first reboot request');
    const h = firstGroup(first);
    expect(reboots(first)).toEqual([h]);
    await rebootHost(bed, h);
    await bed.until(() => bed.fleet.host(h).maintenance.state === 'restoring' && bed.moves(first, 'started').some((m) => m.to === h), `the restore of ${h} under way`);
    const restoreOp = bed.fleet.host(h).maintenance.operationId;
    const moving = bed.moves(first, 'started').find((m) => m.to === h)?.name as string;
    bed.core.close();
    await bed.clock.advance(0);
    expect(first.end).toMatchObject({ ok: false });
    // the move in flight ends on the Dom0s meanwhile; the restore's lease still runs at the agent
    await bed.until(() => bed.fleet.where(moving).join() === h, `${moving} home`);
    expect(bed.fleet.host(h).maintenance).toMatchObject({ state: 'restoring', operationId: restoreOp });
    bed.core = bed.newCore('ctl-a');
    await bed.until(() => seen(bed, 'a1')?.reachable === true && seen(bed, 'a2')?.reachable === true, 'both agents heard by the restarted controller');
    const again = bed.start(ROLL);
    await rollToEnd(bed, again, 'the roll asked again');
    expect(again.end, JSON.stringify(again.end)).toMatchObject({ ok: true });
    expect(drains(bed, h)).toBe(1);
    expect(reboots(again)).not.toContain(h);
    expect(notes(again)).toContain(`group 1/2 (${h}): ${h} is restoring (operation ${restoreOp}): its reboot is done; the restore is continued, not a new drain`);
    for (const d of PAIR.domus) expect([d.name, bed.fleet.where(d.name)]).toEqual([d.name, [d.home]]);
    for (const x of ['a1', 'a2']) expect(bed.fleet.host(x).maintenance.state).toBe('online');
    bed.neverTwice();
  });

  it('stopped while it waits for a reboot, the host rebooted before the rerun: it is restored, not drained nor asked to reboot again', async () => {
    const bed = await jobsBed(PAIR);
    const first = bed.start(ROLL);
    await bed.until(() => reboots(first).length > 0, 'the first reboot request');
    const h = firstGroup(first);
    expect(bed.core.hub.cancel(first.jobId, 'admin')).toMatchObject({ ok: true });
    expect(await bed.finish(first)).toMatchObject({ ok: false });
    expect(bed.fleet.host(h).maintenance.state).toBe('maintenance');
    await rebootHost(bed, h);
    const again = bed.start(ROLL);
    await rollToEnd(bed, again, 'the roll asked again');
    expect(again.end, JSON.stringify(again.end)).toMatchObject({ ok: true });
    expect(drains(bed, h)).toBe(1);
    expect(reboots(again)).not.toContain(h);
    expect(notes(again).some((l) => l.startsWith(`group 1/2 (${h}): ${h} came back with a new boot id since this roll emptied it`))).toBe(true);
    for (const d of PAIR.domus) expect([d.name, bed.fleet.where(d.name)]).toEqual([d.name, [d.home]]);
    bed.neverTwice();
  });

  it('stopped while it waits for a reboot that has not happened: the rerun asks the reboot again, without a second drain', async () => {
    const bed = await jobsBed(PAIR);
    const first = bed.start(ROLL);
    await bed.until(() => reboots(first).length > 0, 'the first reboot request');
    const h = firstGroup(first);
    expect(bed.core.hub.cancel(first.jobId, 'admin')).toMatchObject({ ok: true });
    await bed.finish(first);
    const again = bed.start(ROLL);
    const rebooted = await rollToEnd(bed, again, 'the roll asked again');
    expect(again.end, JSON.stringify(again.end)).toMatchObject({ ok: true });
    expect(rebooted[0]).toEqual([h]);
    expect(drains(bed, h)).toBe(1);
    bed.neverTwice();
  });

  it('a Dom0 not back refuses the roll naming the state it is left in, and its DRBD peer as what cannot be rolled without it', async () => {
    const bed = await jobsBed(PAIR);
    const first = bed.start(ROLL);
    await bed.until(() => reboots(first).length > 0, 'the first reboot request');
    const h = firstGroup(first);
    const other = h === 'a1' ? 'a2' : 'a1';
    const op = bed.fleet.host(h).maintenance.operationId;
    expect(bed.core.hub.cancel(first.jobId, 'admin')).toMatchObject({ ok: true });
    await bed.finish(first);
    bed.fleet.host(h).reboot();
    await bed.until(() => seen(bed, h)?.reachable === false, `${h} unheard`);
    const again = bed.start(ROLL);
    const end = await bed.finish(again);
    expect(end).toMatchObject({ ok: false, code: 'XH_ERR_AGENT_UNREACHABLE', moved: 0 });
    expect(end.message).toBe(`the agent of ${h} is not connected (or silent): nothing was changed; ${h} was last reported in maintenance (operation ${op}) and stays so until its agent is back; ${other} cannot be emptied without it (\`xenherdctl plan roll ${other}\` says what would stay): roll it with ${h} once it is back; once ${h} is back, this roll asked again takes it up where it stopped`);
  });
});

describe('a roll that stops after a group came back', () => {
  it('names the hosts it rebooted, that the same roll asked again skips them, and the roll of the others without them', async () => {
    const bed = await jobsBed(PAIR, { rebootWaitMs: 120_000 });
    const job = bed.start(ROLL);
    await bed.until(() => reboots(job).length > 0, 'the first reboot request');
    const h = firstGroup(job);
    const other = h === 'a1' ? 'a2' : 'a1';
    await rebootHost(bed, h);
    // the second group is not rebooted: its wait ends the roll
    const end = await bed.finish(job);
    expect(reboots(job)).toEqual([h, other]);
    expect(end).toMatchObject({ ok: false, code: 'XH_ERR_TIMEOUT' });
    expect(end.message).toBe(
      `group 2/2 (${other}): ${other} did not come back with a new boot id within 120 s; the group stays in maintenance; ${h} was rebooted in this roll: \`xenherdctl roll ${other}\` (same options) goes on with the others; asked again as it was (within 12 h), the roll skips ${h}`,
    );
  });
});
