import { describe, expect, it } from 'vitest';
import { ctlFor } from './ctl-bed.js';
import { simFleetBehindController, THREE_DOM0S } from './sim-fleet-behind-controller.js';
import { until } from '../../helpers/until.js';

const fleet = simFleetBehindController();

// `xenherdctl cancel JOB` of a drain that another xenherdctl follows, against a real controller.
describe('xenherdctl cancel of a running drain', () => {
  it('the follower under --json gets an end with code XH_ERR_REFUSED, as older xenherdctls read it, and "cancelled": true', async () => {
    const { c, sims } = await fleet({ ...THREE_DOM0S, bandwidthMiBps: 2_000 });
    const run = ctlFor(c)(['drain', 'xen1', '--json']);
    await until(() => sims.host('xen1').commands.some((x) => x.op === 'migrate'), 'the first migration', { limitMs: 10_000 });
    const jobId = c.core.jobs().jobs[0]?.jobId ?? '?';
    expect((await ctlFor(c)(['cancel', jobId])).code).toBe(0);
    const r = await run;
    expect(r.code).toBe(1);
    const end: unknown = JSON.parse(r.stdout.trimEnd().split('\n').at(-1) ?? '{}');
    expect(end).toMatchObject({ type: 'end', ok: false, code: 'XH_ERR_REFUSED', cancelled: true, message: expect.stringMatching(/^the drain was cancelled: 2 domU\(s\) remain on xen1 \(1 moved\)/) });
  });

  it('a second cancel while it waits for its running move says the cancel was asked already, when and by whom, and what it waits for', async () => {
    // slow enough that a1's move (2 GiB) still runs when the second cancel comes
    const { c, sims } = await fleet({ ...THREE_DOM0S, bandwidthMiBps: 400 });
    const run = ctlFor(c)(['drain', 'xen1']);
    await until(() => sims.host('xen1').commands.some((x) => x.op === 'migrate'), 'the first migration', { limitMs: 10_000 });
    const jobId = c.core.jobs().jobs[0]?.jobId ?? '?';
    const first = await ctlFor(c)(['cancel', jobId]);
    expect(first).toMatchObject({ code: 0, stdout: `${jobId} stops: no new moves; 1 running move(s) finish, and whoever follows it sees its end\n` });
    const again = await ctlFor(c)(['cancel', jobId]);
    expect(again).toMatchObject({ code: 0, stderr: '' });
    expect(again.stdout).toMatch(
      new RegExp(`^${jobId} is stopping already: its cancel was asked by admin at \\d\\d:\\d\\d:\\d\\d UTC; it waits for its 1 running move\\(s\\) to finish \\(a1 xen1 → xen2\\), then ends; whoever follows it sees its end\n$`),
    );
    const json = await ctlFor(c)(['cancel', jobId, '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ jobId, stopping: true, inFlight: 1, already: { reason: 'cancelled', by: 'admin', at: expect.any(Number), waitsFor: [{ name: 'a1', from: 'xen1', to: 'xen2' }] } });
    expect((await run).code).toBe(1);
  });
});
