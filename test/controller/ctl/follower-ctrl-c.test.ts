import { describe, expect, it } from 'vitest';
import { ctlFor } from './ctl-bed.js';
import { simFleetBehindController, THREE_DOM0S } from './sim-fleet-behind-controller.js';
import { until } from '../../helpers/until.js';

const fleet = simFleetBehindController();
/**
 * slow enough that the drain of xen1 still runs while a second operator attaches and lets go, and
 * that its next move over a pair cannot start before the first operator's Ctrl-C: the shortest
 * move (1 GiB) takes 4 s, however busy the machine is between two steps of the test
 */
const SLOW = { ...THREE_DOM0S, bandwidthMiBps: 250 };
/** the cancelled drain waits for its running moves (up to 8 s of copying) */
const LONG = 60_000;

describe('Ctrl-C in a xenherdctl that attached to a job another one started', () => {
  it("bob's Ctrl-C stops only his watching (130) and names admin's drain; the drain goes on; admin's Ctrl-C still cancels it", { timeout: LONG }, async () => {
    const { c, sims } = await fleet(SLOW);
    const migrations = (): number => sims.host('xen1').commands.filter((x) => x.op === 'migrate').length;
    let adminCtrlC: () => void = () => undefined;
    let bobCtrlC: () => void = () => undefined;
    const admin = ctlFor(c, undefined, { onInterrupt: (h) => ((adminCtrlC = h), () => undefined) });
    const bob = ctlFor(c, await c.operator('bob', 'operate'), { onInterrupt: (h) => ((bobCtrlC = h), () => undefined) });
    const started = admin(['drain', 'xen1']);
    await until(() => migrations() >= 1, 'the first migration', { limitMs: 10_000 });
    const watching = bob(['drain', 'xen1']);
    await until(() => /following the drain already running \(job-t\d+, started by ctl:admin\): Ctrl-C here only stops watching\n/.test(bob.stdoutSoFar()), 'bob attached', { limitMs: 10_000 });
    bobCtrlC();
    const b = await watching;
    const jobId = c.core.jobs().jobs[0]?.jobId ?? '?';
    expect(b.code).toBe(130);
    expect(b.stderr).toBe(`xenherdctl: stopped watching drain xen1 (${jobId}, started by ctl:admin): this xenherdctl attached to it while it ran, so Ctrl-C here does not stop it; it goes on in the controller. To stop it: xenherdctl cancel ${jobId}\n`);
    expect(c.core.jobs().jobs.map((j) => [j.jobId, j.stopping])).toEqual([[jobId, false]]);
    await until(() => migrations() >= 2, 'the drain starting its next migration after bob left', { limitMs: 10_000 });
    adminCtrlC();
    const a = await started;
    expect(a.code).toBe(1);
    expect(a.stderr).toMatch(/stopping drain: no new migrations; running ones finish/);
    // the end in the words of what was asked for, not as a refusal; the code stays in --json
    expect(a.stdout).toMatch(/\d\d:\d\d:\d\d cancelled: 1 domU\(s\) remain on xen1 \(2 moved\)/);
    expect(a.stdout).not.toContain('XH_ERR_REFUSED');
    expect(c.events('operator-action').filter((l) => l['action'] === 'cancel').map((l) => [l['by'], l['startedBy']])).toEqual([['ctl:admin', 'ctl:admin']]);
  });

  it("`xenherdctl cancel JOB` stops a colleague's drain on purpose: its follower is told by whom, and the log says who cancelled whose job", { timeout: LONG }, async () => {
    const { c, sims } = await fleet(SLOW);
    const started = ctlFor(c)(['drain', 'xen1']);
    await until(() => sims.host('xen1').commands.some((x) => x.op === 'migrate'), 'the first migration', { limitMs: 10_000 });
    const jobId = c.core.jobs().jobs[0]?.jobId ?? '?';
    const bob = ctlFor(c, await c.operator('bob', 'operate'));
    const r = await bob(['cancel', jobId]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toMatch(new RegExp(`^${jobId} stops: no new moves; [01] running move\\(s\\) finish, and whoever follows it sees its end\n$`));
    const a = await started;
    expect(a.code).toBe(1);
    expect(a.stdout).toMatch(/cancelled by bob \(it was started by ctl:admin\): no new moves; [01] running move\(s\) finish/);
    const line = c.events('operator-action').find((l) => l['action'] === 'cancel');
    expect(line).toMatchObject({ by: 'ctl:bob', startedBy: 'ctl:admin', jobId, kind: 'drain', hosts: ['xen1'], msg: `bob cancelled drain xen1 (${jobId}, started by ctl:admin): running moves finish, nothing new starts` });
    // the job has ended: a second cancel says so, how and when, and what it left (no job runs: 1, as documented)
    const again = await bob(['cancel', jobId]);
    expect([again.code, again.stdout]).toEqual([1, '']);
    expect(again.stderr).toMatch(new RegExp(`^xenherdctl: XH_ERR_NOT_FOUND: ${jobId} already ended, nothing to cancel: it was cancelled, at \\d\\d:\\d\\d:\\d\\d UTC: the drain was cancelled: \\d domU\\(s\\) remain on xen1 `));
    expect((await bob(['cancel', 'job-never'])).stderr).toBe('xenherdctl: XH_ERR_NOT_FOUND: no job job-never runs in this controller (`xenherdctl jobs` lists those that run, and how the last ones ended)\n');
    expect((await bob(['cancel'])).code).toBe(2);
    expect((await bob(['cancel', 'x'.repeat(101)])).stderr).toMatch(/is not a job id \(job-…, as the job's first line names it\)/);
  });
});
