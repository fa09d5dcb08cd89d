import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROLL_RECORDS_FILE } from '../../../controller/files/roll-records-file.js';
import { doneNote } from '../../../controller/jobs/roll-group.js';
import { jobsBed, rollToEnd, type JobsBed } from './jobs-bed.js';
import { drains, notes, PAIR, rebootFirstGroup, reboots, ROLL, seen, stateDir } from './roll-pair.js';

/**
 * A roll of a1 and a2 whose first group finished (drained, rebooted, restored, online again) and
 * that was then cancelled while it waited for the second group's reboot; the controller then
 * stopped. The host the first group rolled, and the other.
 */
async function stoppedAfterGroupOne(bed: JobsBed): Promise<{ h: string; other: string; boot: string }> {
  const { first, h, other } = await rebootFirstGroup(bed);
  await bed.until(() => reboots(first).length > 1, 'the second group emptied and its reboot asked');
  expect(bed.fleet.host(h).maintenance.state).toBe('online');
  expect(bed.core.hub.cancel(first.jobId, 'admin')).toMatchObject({ ok: true });
  expect(await bed.finish(first)).toMatchObject({ ok: false });
  expect(first.end?.message).toContain(`the roll skips ${h}`);
  bed.core.close();
  await bed.clock.advance(0);
  return { h, other, boot: bed.fleet.host(h).bootId };
}

describe('a roll asked again after a controller restart skips the hosts it finished', () => {
  it('the finished host is not drained nor rebooted again; plan roll shows it done and the other reboot only; the record goes once the roll completes', async () => {
    const dir = stateDir();
    const bed = await jobsBed(PAIR, {}, dir);
    const { h, other, boot } = await stoppedAfterGroupOne(bed);
    expect(existsSync(join(dir, ROLL_RECORDS_FILE))).toBe(true);
    bed.core = bed.newCore('ctl-a');
    await bed.until(() => seen(bed, 'a1')?.reachable === true && seen(bed, 'a2')?.reachable === true, 'both agents heard by the restarted controller');
    const plan = await bed.core.hub.plan({ kind: 'roll', hosts: ['a1', 'a2'] });
    expect(plan).toMatchObject({ ok: true, value: { kind: 'roll', groups: [{ hosts: [other] }], steps: [{ host: 'a1', step: h === 'a1' ? 'done' : 'reboot' }, { host: 'a2', step: h === 'a2' ? 'done' : 'reboot' }] } });
    const again = bed.start(ROLL);
    const rebooted = await rollToEnd(bed, again, 'the roll asked again');
    expect(again.end, JSON.stringify(again.end)).toMatchObject({ ok: true });
    expect(again.end?.message).toContain(`rolled 1 host(s) in 1 group(s) (${h} rolled before it stopped, skipped)`);
    expect(rebooted).toEqual([[other]]);
    expect(drains(bed, h)).toBe(1);
    expect(drains(bed, other)).toBe(1);
    expect(notes(again)).toContain(doneNote(h, boot));
    expect(bed.fleet.host(h).bootId).toBe(boot);
    for (const d of PAIR.domus) expect([d.name, bed.fleet.where(d.name)]).toEqual([d.name, [d.home]]);
    expect(existsSync(join(dir, ROLL_RECORDS_FILE))).toBe(false);
    bed.neverTwice();
  });

  it('a host rebooted again since the roll finished it rolls it again', async () => {
    const bed = await jobsBed(PAIR, {}, stateDir());
    const { h } = await stoppedAfterGroupOne(bed);
    // rebooted while no controller ran: the restarted controller's first hello from h names another boot
    // (its domUs left running, as if they were started again: a reboot's own losses are not this test's)
    bed.fleet.host(h).bootId = `${bed.fleet.host(h).bootId}-again`;
    bed.core = bed.newCore('ctl-a');
    await bed.until(() => seen(bed, 'a1')?.reachable === true && seen(bed, 'a2')?.reachable === true, 'both agents heard');
    const again = bed.start(ROLL);
    const rebooted = await rollToEnd(bed, again, 'the roll asked again (rebooted since)');
    expect([again.end?.ok, again.end?.message]).toEqual([true, expect.stringContaining('rolled 2 host(s)')]);
    expect(rebooted.flat().includes(h)).toBe(true);
    expect(drains(bed, h)).toBe(2);
    bed.neverTwice();
  });

  it('a standby controller reading a copy of the record takes nothing from it, and refuses rather than drain the finished host again', async () => {
    const bed = await jobsBed(PAIR, {}, stateDir());
    const { h, other } = await stoppedAfterGroupOne(bed);
    bed.core = bed.newCore('ctl-b');
    await bed.until(() => seen(bed, 'a1')?.reachable === true && seen(bed, 'a2')?.reachable === true, 'both agents heard');
    const again = bed.start(ROLL);
    const end = await bed.finish(again);
    // the other host is in maintenance, marked by ctl-a's roll: which hosts that roll finished is ctl-a's record alone
    expect(end).toMatchObject({ ok: false, code: 'XH_ERR_REFUSED', message: expect.stringContaining(`a roll of ctl-a was cut here, leaving ${other} in maintenance`) });
    expect(end.message).toContain(`which of ${h} that roll had already rolled`);
    expect(drains(bed, h)).toBe(1);
    bed.neverTwice();
  });
});

describe('a host an operator left restoring, in a roll', () => {
  it('is drained and rebooted, not counted as rebooted by the roll', async () => {
    const bed = await jobsBed(PAIR);
    const d = bed.fleet.host('a1');
    // what an operator's own `xenherdctl restore` leaves when it stops: restoring, its lease ended, no boot mark
    d.maintenance = { state: 'restoring', operationId: 'op-restore-by-hand', owner: 'ctl-a' };
    d.publish();
    await bed.until(() => seen(bed, 'a1')?.maintenance.state === 'restoring', 'the restoring flag reported');
    const boot = d.bootId;
    const plan = await bed.core.hub.plan({ kind: 'roll', hosts: ['a1', 'a2'] });
    expect(plan).toMatchObject({ ok: true, value: { steps: [{ host: 'a1', step: 'drain' }, { host: 'a2', step: 'drain' }] } });
    const job = bed.start(ROLL);
    const rebooted = await rollToEnd(bed, job);
    expect(job.end, JSON.stringify(job.end)).toMatchObject({ ok: true });
    expect(rebooted.flat().sort()).toEqual(['a1', 'a2']);
    expect(drains(bed, 'a1')).toBe(1);
    expect(d.bootId).not.toBe(boot);
    expect(notes(job).some((l) => l.includes('a1 is restoring'))).toBe(false);
    bed.neverTwice();
  });
});
