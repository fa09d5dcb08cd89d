import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { revokeCommand } from '../../../controller/cli/revoke.js';
import { capture } from '../api/controller-bed.js';
import { ctlFor } from './ctl-bed.js';
import { simFleetBehindController, THREE_DOM0S } from './sim-fleet-behind-controller.js';
import { until } from '../../helpers/until.js';

const fleet = simFleetBehindController();
/** slow enough that the drain of xen1 still runs when alice's token is revoked (the shortest move takes 4 s) */
const SLOW = { ...THREE_DOM0S, bandwidthMiBps: 250 };

describe("an operator's open stream whose token is revoked", () => {
  it('ends at its next line: drain exits 88 saying the token was revoked and that the job goes on, which another operator cancels', { timeout: 60_000 }, async () => {
    const { c, sims } = await fleet(SLOW);
    const draining = ctlFor(c, await c.operator('alice', 'operate'))(['drain', 'xen1']);
    await until(() => sims.host('xen1').commands.some((x) => x.op === 'migrate'), 'the first migration', { limitMs: 10_000 });
    const jobId = c.core.jobs().jobs[0]?.jobId ?? '?';
    expect(jobId).toMatch(/^job-/);

    const r = await capture(revokeCommand(join(c.dir, 'no-credential')).run, ['--operator', 'alice', '--config', c.config]);
    expect(r.code).toBe(0);
    const d = await draining;
    expect(d.code).toBe(88);
    expect(d.stderr).toContain(`token revoked: this operator's token was revoked or replaced`);
    expect(d.stderr).toContain(`the job ${jobId} goes on in the controller (it is not cancelled)`);
    expect(d.stderr).toContain(`\`xenherdctl cancel ${jobId}\` with another operate token stops it`);
    expect(c.events('operator-revoked')).toEqual([expect.objectContaining({ operator: 'alice', jobId })]);
    // not cancelled by the revocation: it runs until an operator with a valid token says so
    expect(c.core.jobs().jobs.map((j) => [j.jobId, j.by, j.stopping])).toEqual([[jobId, 'ctl:alice', false]]);

    const bob = ctlFor(c, await c.operator('bob', 'operate'));
    expect((await bob(['cancel', jobId])).code).toBe(0);
    await until(() => c.core.jobs().jobs.length === 0, 'the cancelled drain ended', { limitMs: 10_000 });
  });
});
