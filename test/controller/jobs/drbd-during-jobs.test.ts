import { describe, expect, it } from 'vitest';
import type { LinkDrbdResource } from '../../../shared/protocol/agent-link-state.js';
import { holdMigrate, jobsBed, SPREAD, type JobsBed, type RunningJob } from './jobs-bed.js';

// A drain waits for a resync (DRBD gets there by itself), then moves; it never moves over a pair out of step.
// The cold fallback shuts a domU down and starts it on the target: onto a DRBD pair split-brained
// or cut, that start would run it on a replica missing writes. It checks the reports first and
// fails the move with nothing done: a failure, not an alarm.

const NEW_WORDS = '(DRBD reconnects by itself once the network between the Dom0s is back: a drain or restore under way waits 30 s for it once both ends report the link cut, up to 5 min while one end has not, and a new drain does not start)';
const DRAIN = { kind: 'drain', host: 'xen1', maxParallel: null, coldFallback: true, allowPartial: true, timeoutMs: null } as const;
const inStep = (name: string): LinkDrbdResource => ({ name, role: 'Primary', disk: 'UpToDate', peers: [{ name: 'peer', role: 'Secondary', connection: 'Connected', disk: 'UpToDate', replication: 'Established' }] });
const splitBrain = (name: string): LinkDrbdResource => ({ name, role: 'Primary', disk: 'UpToDate', peers: [] });
/** Waits for JOB's note beginning PREFIX, asked just after it started: how long it took, ms on the bed's clock. */
async function noteAfter(bed: JobsBed, job: RunningJob, prefix: string): Promise<number> {
  const startedAt = bed.clock.now();
  await bed.until(() => job.events.some((e) => e.type === 'note' && e.line.startsWith(prefix)), `the note "${prefix}"`, 120_000);
  return bed.clock.now() - startedAt;
}
const resyncing = (name: string): LinkDrbdResource => ({ name, role: 'Primary', disk: 'UpToDate', peers: [{ name: 'peer', role: 'Secondary', connection: 'Connected', disk: 'Inconsistent', replication: 'SyncSource' }] });

describe('a drain while a DRBD pair resyncs', () => {
  it('waits for it (not refused up front), and moves a1 once the pair is in step', async () => {
    const bed = await jobsBed(SPREAD);
    const xen1 = bed.fleet.host('xen1');
    xen1.drbd = [resyncing('r-a1')];
    xen1.reportDrbd();
    const job = bed.start({ ...DRAIN, coldFallback: false, allowPartial: false });
    await bed.until(() => bed.moves(job, 'moved').length === 3, 'the other three moved');
    await bed.clock.advance(60_000);
    expect(bed.moves(job).filter((m) => m.name === 'a1')).toEqual([]);
    expect(job.end).toBeNull();
    // the operator reads that it waits, and how long, not only that a1 cannot move
    const notes = job.events.flatMap((e) => (e.type === 'note' ? [e.line] : []));
    expect(notes.filter((l) => l.startsWith('waiting: a1 cannot be moved to xen2: DRBD r-a1 on xen1 is SyncSource'))).toHaveLength(1);
    expect(notes.find((l) => l.startsWith('waiting: a1'))).toMatch(/\(DRBD gets there by itself: drain and restore wait up to 5 min for it\); this job waits until \d\d:\d\d:\d\d UTC, then ends naming what is left; /);
    // the note is said once and the job is silent for minutes after it: it names when the wait ends and the way out
    expect(notes.find((l) => l.startsWith('waiting: a1'))).toMatch(/; when DRBD cannot get there by then \(the network between the Dom0s down\), `xenherdctl cancel [^`]+` ends the job now$/);
    xen1.drbd = [inStep('r-a1')];
    xen1.reportDrbd();
    expect(await bed.finish(job)).toMatchObject({ ok: true, moved: 4 });
    expect(bed.fleet.where('a1')).toEqual(['xen2']);
  });
});

/**
 * A drain of xen1 whose move of a1 was planned with r-a1 in step, and whose first attempt meets
 * FAULT; once it started, xen1 reports r-a1 as AFTER says (the pair out of step meanwhile).
 */
async function firstAttemptMeets(fault: 'fail' | 'refused', after: LinkDrbdResource) {
  const bed = await jobsBed(SPREAD);
  const xen1 = bed.fleet.host('xen1');
  xen1.drbd = [inStep('r-a1')];
  xen1.reportDrbd();
  bed.fleet.fault('a1', fault);
  const job = bed.start({ ...DRAIN, coldFallback: false, allowPartial: true });
  await bed.until(() => bed.moves(job).some((m) => m.name === 'a1' && m.phase === 'started'), 'a1 started');
  xen1.drbd = [after];
  xen1.reportDrbd();
  const waiting = () => bed.moves(job).find((m) => m.name === 'a1' && (m.line ?? '').startsWith('waiting before attempt 2'));
  const inStepAgain = (): void => {
    xen1.drbd = [inStep('r-a1')];
    xen1.reportDrbd();
  };
  const attempts = (): number => xen1.commands.filter((c) => c.op === 'migrate' && c.name === 'a1').length;
  return { bed, job, waiting, inStepAgain, attempts };
}

describe('a move whose attempt failed while its target went away (a reboot mid-drain)', () => {
  // its peer went away: DRBD tries to reach it
  const connecting = (name: string): LinkDrbdResource => ({ name, role: 'Primary', disk: 'UpToDate', peers: [{ name: 'peer', role: 'Unknown', connection: 'Connecting', disk: 'DUnknown', replication: 'Off' }] });

  it('waits for the pair to be in step again before its next attempt, then moves (no attempt the preflight would refuse)', async () => {
    const { bed, job, waiting, inStepAgain, attempts } = await firstAttemptMeets('fail', connecting('r-a1'));
    await bed.until(() => waiting() !== undefined, 'a1 waiting');
    await bed.clock.advance(120_000);
    expect(attempts()).toBe(1);
    expect(waiting()?.line).toMatch(/^waiting before attempt 2 \(up to 5 min\): r-a1 on xen1 is WFConnection .*DRBD is trying to reach xen2/);
    inStepAgain();
    expect(await bed.finish(job)).toMatchObject({ ok: true, moved: 4 });
    expect(attempts()).toBe(2);
    expect(bed.fleet.where('a1')).toEqual(['xen2']);
  });

  it("gives up its slots while it waits: the drain's moves to healthy targets go meanwhile, and it moves once its pair is back", async () => {
    const { bed, job, waiting, inStepAgain, attempts } = await firstAttemptMeets('fail', connecting('r-a1'));
    await bed.until(() => waiting() !== undefined, 'a1 waiting');
    // one move out of xen1 at a time (the default): b1 and b2 go to xen3 while a1 waits for xen2
    await bed.until(() => ['b1', 'b2'].every((n) => bed.moves(job, 'moved').some((m) => m.name === n)), 'b1 and b2 moved while a1 waits');
    expect(attempts()).toBe(1);
    expect(bed.fleet.where('b1')).toEqual(['xen3']);
    inStepAgain();
    expect(await bed.finish(job)).toMatchObject({ ok: true, moved: 4 });
    expect(attempts()).toBe(2);
    expect(bed.fleet.where('a1')).toEqual(['xen2']);
  });
});

describe('a move whose attempt failed as its DRBD link was cut at both ends', () => {
  it('waits 30 s for the link, not 5 min, then tries again (where the preflight says why)', async () => {
    const cutEnd = (name: string, role: 'Primary' | 'Secondary'): LinkDrbdResource => ({ name, role, disk: 'UpToDate', peers: [{ name: 'peer', role: 'Unknown', connection: 'Connecting', disk: 'DUnknown', replication: 'Off' }] });
    const { bed, waiting, attempts } = await firstAttemptMeets('fail', cutEnd('r-a1', 'Primary'));
    const xen2 = bed.fleet.host('xen2');
    xen2.drbd = [cutEnd('r-a1', 'Secondary')];
    xen2.reportDrbd();
    await bed.until(() => (waiting()?.line ?? '').includes('up to 30 s, both ends report the link cut'), 'a1 waiting for its cut link');
    expect(waiting()?.line).toMatch(/^waiting before attempt 2 \(up to 30 s, both ends report the link cut\): r-a1 on xen1 is WFConnection .*, and r-a1 on xen2 is WFConnection/);
    // within a minute of the cut, not the 5 min a link that may blink back is given
    await bed.until(() => attempts() === 2, 'the second attempt, 30 s on', 60_000);
  });
});

describe('a move refused by the preflight while its pair is out of step', () => {
  const resync = (name: string): LinkDrbdResource => ({ name, role: 'Primary', disk: 'UpToDate', peers: [{ name: 'peer', role: 'Secondary', connection: 'Connected', disk: 'Inconsistent', replication: 'SyncSource' }] });

  it('is tried again once the reports show it in step (a resync clears up by itself)', async () => {
    const { bed, job, waiting, inStepAgain, attempts } = await firstAttemptMeets('refused', resync('r-a1'));
    await bed.until(() => waiting() !== undefined, 'a1 waiting');
    inStepAgain();
    expect(await bed.finish(job)).toMatchObject({ ok: true, moved: 4 });
    expect(attempts()).toBe(2);
  });

  it('a split brain needs a person: the refusal is final at once', async () => {
    const { bed, job, attempts } = await firstAttemptMeets('refused', splitBrain('r-a1'));
    const end = await bed.finish(job);
    expect(end.remaining.find((l) => l.name === 'a1')?.blocker).toMatchObject({ kind: 'failed', attempts: 1, code: 'XH_ERR_REFUSED' });
    expect(attempts()).toBe(1);
  });
});

describe('the cold fallback onto a DRBD pair out of step', () => {
  it('a split brain after the live attempts failed: no shutdown, a1 still runs on xen1, the move fails with the readiness text', async () => {
    const bed = await jobsBed(SPREAD);
    const xen1 = bed.fleet.host('xen1');
    xen1.drbd = [inStep('r-a1')];
    xen1.reportDrbd();
    bed.fleet.fault('a1', 'fail', 'fail', 'fail');
    const job = bed.start(DRAIN);
    // planned while in step; the pair breaks while the live attempts fail
    await bed.until(() => bed.moves(job).some((m) => m.name === 'a1' && m.phase === 'retrying'), 'a1 retrying');
    xen1.drbd = [splitBrain('r-a1')];
    xen1.reportDrbd();
    const end = await bed.finish(job);
    expect(end.ok).toBe(false);
    const a1 = end.remaining.find((l) => l.name === 'a1');
    expect(a1?.blocker).toMatchObject({ kind: 'failed', code: 'XH_ERR_REFUSED' });
    expect(a1?.blocker.kind === 'failed' ? a1.blocker.message : '').toBe(
      'no cold fallback, a1 still runs on xen1: DRBD r-a1 on xen1 is StandAlone (disk UpToDate, peer DUnknown): reconnect it (`drbdadm connect r-a1` on both, resolving a split brain first) and wait for UpToDate/UpToDate before migrating',
    );
    expect(xen1.commands.filter((c) => c.op === 'shutdown')).toEqual([]);
    expect(bed.fleet.where('a1')).toEqual(['xen1']);
    expect(bed.moves(job).filter((m) => m.name === 'a1').map((m) => m.phase)).not.toContain('alarm');
    bed.neverTwice();
  });
});

describe('a drain whose many domUs wait for their DRBD pairs', () => {
  it('says once how many wait and why, not each sentence cut off, and not again as each pair gets in step', async () => {
    const names = Array.from({ length: 12 }, (_, i) => `v${String(i).padStart(2, '0')}`);
    const bed = await jobsBed({ hosts: [{ name: 'xen1', totalMiB: 65_536 }, { name: 'xen2', totalMiB: 65_536 }], domus: names.map((name) => ({ name, home: 'xen1', replicas: ['xen1', 'xen2'], memMiB: 1024 })) });
    const xen1 = bed.fleet.host('xen1');
    xen1.drbd = names.map((n) => resyncing(`r-${n}`));
    xen1.reportDrbd();
    const job = bed.start({ ...DRAIN, coldFallback: false, allowPartial: false });
    const waiting = () => job.events.flatMap((e) => (e.type === 'note' && e.line.startsWith('waiting') ? [e.line] : []));
    await bed.until(() => waiting().length > 0, 'the waiting note');
    for (let i = 0; i < names.length; i++) {
      xen1.drbd = names.map((n, j) => (j <= i ? inStep(`r-${n}`) : resyncing(`r-${n}`)));
      xen1.reportDrbd();
      await bed.clock.advance(2_000);
    }
    expect(await bed.finish(job)).toMatchObject({ ok: true, moved: 12 });
    const said = 'waiting (12 domUs): 12 domUs (v00, v01, v02, v03, v04, v05, v06, v07 and 4 more) alike, e.g. v00 cannot be moved to xen2: DRBD r-v00 on xen1 is SyncSource (disk UpToDate, peer Inconsistent): its disks are not in step yet (a resync or catch-up is under way); wait for UpToDate/UpToDate before migrating (`drbdadm status r-v00`) (DRBD gets there by itself: drain and restore wait up to 5 min for it)';
    expect(waiting()).toHaveLength(1);
    expect(waiting()[0]?.startsWith(said)).toBe(true);
    expect(waiting()[0]?.slice(said.length)).toBe(`; this job waits until ${waiting()[0]?.match(/until (\d\d:\d\d:\d\d UTC)/)?.[1] ?? '?'}, then ends naming what is left; when DRBD cannot get there by then (the network between the Dom0s down), \`xenherdctl cancel ${job.jobId}\` ends the job now`);
  });
});

describe('a drain while a DRBD link is cut', () => {
  // the network between xen1 and xen2 is down: each end keeps trying (8.4 prints WFConnection)
  const trying = (name: string): LinkDrbdResource => ({ name, role: 'Primary', disk: 'UpToDate', peers: [{ name: 'peer', role: 'Unknown', connection: 'Connecting', disk: 'DUnknown', replication: 'Off' }] });
  const standby = (name: string): LinkDrbdResource => ({ name, role: 'Secondary', disk: 'UpToDate', peers: [{ name: 'peer', role: 'Unknown', connection: 'Connecting', disk: 'DUnknown', replication: 'Off' }] });
  const standAlone = (name: string): LinkDrbdResource => ({ name, role: 'Secondary', disk: 'UpToDate', peers: [{ name: 'peer', role: 'Unknown', connection: 'StandAlone', disk: 'DUnknown', replication: 'Off' }] });

  async function cut(xen2Side: (name: string) => LinkDrbdResource) {
    const bed = await jobsBed(SPREAD);
    const xen1 = bed.fleet.host('xen1');
    const xen2 = bed.fleet.host('xen2');
    xen1.drbd = [trying('r-a1'), inStep('r-a2')];
    xen1.reportDrbd();
    xen2.drbd = [xen2Side('r-a1')];
    xen2.reportDrbd();
    await bed.until(async () => {
      const plan = await bed.core.hub.plan({ kind: 'drain', hosts: ['xen1'] });
      return plan.ok && JSON.stringify(plan).includes('drbd-not-ready');
    }, 'the cut link in the plan');
    return bed;
  }

  it('is refused before xen1 is taken out of service, naming the domU, the resource, both ends and the way out', async () => {
    const bed = await cut(standby);
    const end = await bed.finish(bed.start({ ...DRAIN, coldFallback: false, allowPartial: false }));
    expect(end).toMatchObject({ ok: false, code: 'XH_ERR_REFUSED', moved: 0 });
    expect(end.message).toBe(
      '1 domU(s) cannot leave xen1, so the drain would not finish; nothing was changed (--allow-partial drains the rest): a1 cannot be moved to xen2: DRBD r-a1 on xen1 is WFConnection (disk UpToDate, peer DUnknown), and r-a1 on xen2 is WFConnection (disk UpToDate, peer DUnknown): DRBD is trying to reach xen2: check the network between them and that xen2 is up and has r-a1 up (`drbdadm status r-a1` there), then wait for UpToDate/UpToDate before migrating (DRBD reconnects by itself once the network between the Dom0s is back: a drain or restore under way waits 30 s for it once both ends report the link cut, up to 5 min while one end has not, and a new drain does not start)',
    );
    expect(end.remaining.map((l) => [l.name, l.blocker.kind])).toEqual([['a1', 'drbd-not-ready']]);
    expect(bed.fleet.host('xen1').maintenance.state).toBe('online');
    expect(bed.fleet.host('xen1').commands.filter((c) => c.op === 'migrate')).toEqual([]);
  });

  it('one end StandAlone: that end decides, naming `drbdadm connect` and the split brain runbook', async () => {
    const bed = await cut(standAlone);
    const end = await bed.finish(bed.start({ ...DRAIN, coldFallback: false, allowPartial: false }));
    expect(end).toMatchObject({ ok: false, code: 'XH_ERR_REFUSED', moved: 0 });
    expect(end.remaining.find((l) => l.name === 'a1')?.message).toBe(
      'a1 cannot be moved to xen2: DRBD r-a1 on xen2 is StandAlone (disk UpToDate, peer DUnknown), and r-a1 on xen1 is WFConnection (disk UpToDate, peer DUnknown): reconnect it (`drbdadm connect r-a1` on both, resolving a split brain first) and wait for UpToDate/UpToDate before migrating; then try again (a person must act: see README, section "DRBD split brain")',
    );
    expect(bed.fleet.host('xen1').maintenance.state).toBe('online');
  });

  it('--allow-partial: the others leave, a1 is named as left and xen1 stays draining', async () => {
    const bed = await cut(standby);
    const end = await bed.finish(bed.start({ ...DRAIN, coldFallback: false, allowPartial: true, timeoutMs: 60_000 }));
    expect(end).toMatchObject({ ok: false, moved: 3 });
    expect(end.remaining.map((l) => l.name)).toEqual(['a1']);
    expect(bed.fleet.host('xen1').maintenance.state).toBe('draining');
    bed.neverTwice();
  });
  it('a drain under way whose link is cut at both ends after it started gives a1 up after 30 s, in the words a new drain is refused with, not after 5 min', async () => {
    const bed = await jobsBed(SPREAD);
    const xen1 = bed.fleet.host('xen1');
    const xen2 = bed.fleet.host('xen2');
    // a1 waits for a resync when the drain starts: it is planned, and waited for
    xen1.drbd = [resyncing('r-a1')];
    xen1.reportDrbd();
    xen2.drbd = [{ ...inStep('r-a1'), role: 'Secondary', disk: 'Inconsistent' }];
    xen2.reportDrbd();
    const job = bed.start({ ...DRAIN, coldFallback: false, allowPartial: false });
    await bed.until(() => bed.moves(job, 'moved').length === 3, 'the other three moved');
    expect(job.end).toBeNull();
    // then the network between xen1 and xen2 goes: each end keeps trying
    xen1.drbd = [trying('r-a1')];
    xen1.reportDrbd();
    xen2.drbd = [standby('r-a1')];
    xen2.reportDrbd();
    const cutAt = bed.clock.now();
    await bed.clock.advance(31_000);
    const end = await bed.finish(job);
    expect(bed.clock.now() - cutAt).toBeLessThan(60_000);
    expect(end).toMatchObject({ ok: false, moved: 3 });
    const words =
      'a1 cannot be moved to xen2: DRBD r-a1 on xen1 is WFConnection (disk UpToDate, peer DUnknown), and r-a1 on xen2 is WFConnection (disk UpToDate, peer DUnknown): DRBD is trying to reach xen2: check the network between them and that xen2 is up and has r-a1 up (`drbdadm status r-a1` there), then wait for UpToDate/UpToDate before migrating ' +
      NEW_WORDS;
    expect(end.remaining.map((l) => [l.name, l.message])).toEqual([['a1', words]]);
    const notes = job.events.flatMap((e) => (e.type === 'note' ? [e.line] : []));
    expect(notes).toContainEqual(`a1 stays on xen1: both ends of its DRBD link have reported it cut for 30 s: ${words}`);
    expect(bed.fleet.host('xen1').maintenance.state).toBe('draining');
  });

  it('while its other moves still run, a drain says a1 stays once both ends have reported its link cut for 30 s, not when they end', async () => {
    const bed = await cut(standby);
    // b1's migration takes minutes: its agent answers when the test lets it
    const held = holdMigrate(bed, 'xen1', 'b1');
    const job = bed.start({ ...DRAIN, coldFallback: false, allowPartial: true });
    expect(await noteAfter(bed, job, 'a1 stays on xen1: both ends of its DRBD link have reported it cut for 30 s: a1 cannot be moved to xen2')).toBeLessThanOrEqual(32_000);
    expect(held).toHaveLength(1);
    expect(job.end).toBeNull();
    for (const answer of held.splice(0)) answer();
    const end = await bed.finish(job);
    expect(end).toMatchObject({ ok: false, moved: 3 });
    expect(end.remaining.map((l) => l.name)).toEqual(['a1']);
  });

  it("while its moves wait for a slot another job's long move holds, a drain says b1 stays at 30 s too", async () => {
    const bed = await jobsBed(SPREAD);
    const xen1 = bed.fleet.host('xen1');
    const xen3 = bed.fleet.host('xen3');
    xen1.drbd = [trying('r-b1')];
    xen1.reportDrbd();
    xen3.drbd = [standby('r-b1')];
    xen3.reportDrbd();
    const held = holdMigrate(bed, 'xen2', 'c1');
    const other = bed.start({ ...DRAIN, host: 'xen2', coldFallback: false, allowPartial: true });
    await bed.until(() => held.length === 1, "c1's move to xen3 under way");
    // b2 waits for xen3's one inbound slot, c1's; a1 and a2 have nowhere to go (xen2 is draining)
    const job = bed.start({ ...DRAIN, coldFallback: false, allowPartial: true });
    expect(await noteAfter(bed, job, 'b1 stays on xen1: both ends of its DRBD link have reported it cut for 30 s')).toBeLessThanOrEqual(32_000);
    expect(held).toHaveLength(1);
    expect(job.end).toBeNull();
    for (const answer of held.splice(0)) answer();
    await bed.finish(other);
    const end = await bed.finish(job);
    expect(end.remaining.map((l) => l.name)).toEqual(['a1', 'a2', 'b1']);
    expect(bed.moves(job, 'moved').map((m) => m.name)).toEqual(['b2']);
  });
});
