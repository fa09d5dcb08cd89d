import { describe, expect, it } from 'vitest';
import { waitUntil } from '../api/controller-bed.js';
import { ctlFor } from './ctl-bed.js';
import { simFleetBehindController, THREE_DOM0S } from './sim-fleet-behind-controller.js';

const fleet = simFleetBehindController();

// `xenherdctl cancel JOB` of a drain that another xenherdctl follows, against a real controller.
describe('xenherdctl cancel of a running drain', () => {
  it('the follower under --json gets an end with code XH_ERR_REFUSED, as older xenherdctls read it, and "cancelled": true', async () => {
    const { c, sims } = await fleet({ ...THREE_DOM0S, bandwidthMiBps: 2_000 });
    const run = ctlFor(c)(['drain', 'xen1', '--json']);
    await waitUntil(() => sims.host('xen1').commands.some((x) => x.op === 'migrate'), 'the first migration');
    const jobId = c.core.jobs().jobs[0]?.jobId ?? '?';
    expect((await ctlFor(c)(['cancel', jobId])).code).toBe(0);
    const r = await run;
    expect(r.code).toBe(1);
    const end: unknown = JSON.parse(r.stdout.trimEnd().split('\n').at(-1) ?? '{}');
    expect(end).toMatchObject({ type: 'end', ok: false, code: 'XH_ERR_REFUSED', cancelled: true, message: expect.stringMatching(/^the drain was cancelled: 2 domU\(s\) remain on xen1 \(1 moved\)/) });
  });
});
