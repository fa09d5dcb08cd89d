import { describe, expect, it } from 'vitest';
import { jobsText } from '../../../controller/ctl/commands/jobs.js';
import { JobsAnswerReadSchema, JobsListingSchema, listingOf } from '../../../controller/ctl/jobs-answer.js';
import { jobsBed, rollToEnd, type JobsBed } from './jobs-bed.js';
import { drains, PAIR, rebootFirstGroup, ROLL, seen, stateDir } from './roll-pair.js';

/**
 * A roll of a1 and a2 by ctl-a whose first group finished (drained, rebooted, restored, online)
 * and whose controller then died while it drained the second group; IDENTITY's controller then
 * hears both agents, ctl-a's lease on the drained Dom0 lapsed. The host finished, the one cut.
 */
async function cutInGroupTwo(bed: JobsBed, identity: string): Promise<{ h: string; other: string; boot: string }> {
  const { first, h, other } = await rebootFirstGroup(bed);
  await bed.until(() => bed.fleet.host(other).maintenance.state === 'draining' && bed.moves(first, 'started').some((m) => m.from === other), `the drain of ${other} under way`);
  expect(bed.fleet.host(h).maintenance.state).toBe('online');
  bed.core.close();
  await bed.clock.advance(0);
  bed.core = bed.newCore(identity);
  await bed.until(() => seen(bed, 'a1')?.reachable === true && seen(bed, 'a2')?.reachable === true, `both agents heard by ${identity}`);
  await bed.clock.advance(61_000);
  expect(bed.fleet.host(other).maintenance).toMatchObject({ state: 'draining', owner: 'ctl-a' });
  return { h, other, boot: bed.fleet.host(h).bootId };
}

describe("a roll's Dom0 cut mid-drain", () => {
  it('jobs advises the roll asked again, not `drain HOST`; the roll asked again continues that drain and skips the finished host', async () => {
    const bed = await jobsBed(PAIR, {}, stateDir());
    const { h, other, boot } = await cutInGroupTwo(bed, 'ctl-a');
    const listing = bed.core.jobs();
    expect(listing.cut).toEqual([expect.objectContaining({ host: other, state: 'draining' })]);
    const text = jobsText(JobsListingSchema.parse(listingOf(JobsAnswerReadSchema.parse(listing))));
    expect(text).toContain(`${other}: draining since `);
    expect(text).toContain(`the same roll asked again continues it (\`xenherdctl roll\` with that roll's Dom0s, ${other} among them; \`xenherdctl drain ${other}\` would only empty it`);
    expect(text).not.toContain(`\`xenherdctl drain ${other}\` continues it`);

    const again = bed.start(ROLL);
    const rebooted = await rollToEnd(bed, again, 'the roll asked again');
    expect(again.end, JSON.stringify(again.end)).toMatchObject({ ok: true, message: expect.stringContaining(`(${h} rolled before it stopped, skipped)`) });
    expect(rebooted).toEqual([[other]]);
    expect([drains(bed, h), drains(bed, other)]).toEqual([1, 1]);
    expect(bed.fleet.host(h).bootId).toBe(boot);
    for (const d of PAIR.domus) expect([d.name, bed.fleet.where(d.name)]).toEqual([d.name, [d.home]]);
    bed.neverTwice();
  });
});

describe('a standby controller asked to continue a roll the primary was cut in', () => {
  it('refuses rather than drain again a Dom0 the primary finished, and continues the cut Dom0 when asked for it', async () => {
    // each core keeps its roll records in memory: the primary's, like its state dir, is out of the standby's reach
    const bed = await jobsBed(PAIR);
    const { h, other, boot } = await cutInGroupTwo(bed, 'ctl-b');
    const op = bed.fleet.host(other).maintenance.operationId as string;

    const plan = await bed.core.hub.plan({ kind: 'roll', hosts: ['a1', 'a2'] });
    const refused = bed.start(ROLL);
    const end = await bed.finish(refused);
    expect(end).toMatchObject({ ok: false, code: 'XH_ERR_REFUSED' });
    expect(end.message).toBe(
      `a roll of ctl-a was cut here, leaving ${other} draining (operation ${op}); which of ${h} that roll had already rolled (drained, rebooted, restored, online again) is recorded only in that controller's state dir (roll-progress.json), which this controller cannot read: nothing was changed, and none of it is drained again; \`xenherdctl roll ${other}\` (same options) continues ${other} here from its flag; then roll those of ${h} that roll had not finished (the log of ctl-a names the ones it finished), or ask that controller the same roll again once it answers`,
    );
    expect(plan).toEqual({ ok: false, error: { code: 'XH_ERR_REFUSED', message: end.message } });
    expect([drains(bed, h), drains(bed, other)]).toEqual([1, 1]);
    expect(bed.fleet.host(other).maintenance).toMatchObject({ state: 'draining', owner: 'ctl-a', operationId: op });

    const cont = bed.start({ ...ROLL, hosts: [other] });
    const rebooted = await rollToEnd(bed, cont, `the standby's roll of ${other}`);
    expect(cont.end, JSON.stringify(cont.end)).toMatchObject({ ok: true });
    expect(rebooted).toEqual([[other]]);
    // taken up from its draining flag (same operation), not drained anew; the finished host untouched
    expect([drains(bed, h), drains(bed, other)]).toEqual([1, 1]);
    expect(bed.fleet.host(other).commands.some((c) => c.op === 'maintenance' && c.state === 'draining' && c.operationId === op && c.owner === 'ctl-b')).toBe(true);
    expect(bed.fleet.host(h).bootId).toBe(boot);
    for (const x of ['a1', 'a2']) expect(bed.fleet.host(x).maintenance.state).toBe('online');
    for (const d of PAIR.domus) expect([d.name, bed.fleet.where(d.name)]).toEqual([d.name, [d.home]]);
    bed.neverTwice();
  });
});
