import { describe, expect, it } from 'vitest';
import { JobsListingSchema } from '../../../controller/ctl/jobs-answer.js';
import { ctlFor, impostor } from './ctl-bed.js';
import { simFleetBehindController, THREE_DOM0S } from './sim-fleet-behind-controller.js';
import { until } from '../../helpers/until.js';

const fleet = simFleetBehindController();
const TOKEN = `xh1.000000000000.${'a'.repeat(43)}`;
/** slow enough that the drain of xen1 still runs while the second on-call lists the jobs (the shortest move takes 4 s) */
const SLOW = { ...THREE_DOM0S, bandwidthMiBps: 250 };

describe('xenherdctl jobs', () => {
  it('a token with the role read lists the running drain first (id, host, who, when, its step), then the restore that ended, and how', { timeout: 60_000 }, async () => {
    const { c, sims } = await fleet(SLOW);
    const admin = ctlFor(c, undefined, {});
    const restored = await admin(['restore', 'xen3']);
    expect(restored.code).toBe(0);
    let adminCtrlC: () => void = () => undefined;
    const drainer = ctlFor(c, await c.operator('alice', 'operate'), { onInterrupt: (h) => ((adminCtrlC = h), () => undefined) });
    const draining = drainer(['drain', 'xen1']);
    await until(() => sims.host('xen1').commands.some((x) => x.op === 'migrate'), 'the first migration', { limitMs: 10_000 });
    const drainId = c.core.jobs().jobs[0]?.jobId ?? '?';
    const restoreId = c.core.jobs().finished[0]?.jobId ?? '?';
    expect(restoreId).toMatch(/^job-/);

    const carol = ctlFor(c, await c.operator('carol', 'read'));
    const text = await carol(['jobs']);
    expect([text.code, text.stderr]).toEqual([0, '']);
    const lines = text.stdout.split('\n');
    expect(lines[0]).toMatch(/^RUNNING +KIND +ON +BY +STARTED +STATE$/);
    expect(lines[1]).toMatch(new RegExp(`^${drainId} +drain +xen1 +alice +\\d\\d:\\d\\d \\([\\d.]+ s ago\\) +running: \\d moved, \\d left \\([01] running\\); xen1 is draining \\(operation \\w+\\): it takes no new domUs`));
    expect(text.stdout).toMatch(/\nENDED \(the last 20 the controller keeps since it started; its log has them all\)\n/);
    expect(text.stdout).toMatch(new RegExp(`\\n${restoreId} +restore +xen3 +admin +\\d\\d:\\d\\d \\([\\d.]+ s ago\\) +done at \\d\\d:\\d\\d: `));
    expect(text.stdout).toMatch(/\n`xenherdctl cancel ID` stops a running job \(no new moves; running ones finish\)\n$/);

    const json = await carol(['jobs', '--json']);
    expect(json.code).toBe(0);
    const listing = JobsListingSchema.parse(JSON.parse(json.stdout));
    expect(listing.running.map((r) => [r.id, r.kind, r.hosts, r.startedBy, r.state, r.cancel])).toEqual([[drainId, 'drain', ['xen1'], 'alice', 'running', true]]);
    expect(listing.finished.map((r) => [r.id, r.kind, r.hosts, r.startedBy, r.state, r.code])).toEqual([[restoreId, 'restore', ['xen3'], 'admin', 'done', null]]);
    expect(listing.remembers).toBe(20);
    // a read token may list, and only list
    expect((await carol(['cancel', drainId])).code).toBe(88);

    adminCtrlC();
    expect((await draining).code).toBe(1);
    const after = JobsListingSchema.parse(JSON.parse((await carol(['jobs', '--json'])).stdout));
    expect(after.running).toEqual([]);
    expect(after.finished.map((r) => [r.id, r.state, r.code])).toEqual([
      [drainId, 'cancelled', expect.stringMatching(/^XH_ERR_/)],
      [restoreId, 'done', null],
    ]);
  });

  it("reads an older controller's answer (running jobs only) and a newer one's (a kind and a key it does not know), exit 0", async () => {
    const older = await impostor(JSON.stringify({ at: 1_000_000, jobs: [{ jobId: 'job-a', kind: 'drain', hosts: ['xen1'], by: 'ctl:bob', startedAt: 940_000, inFlight: 1, stopping: true }] }));
    const o = await ctlFor(null)(['jobs'], { XENHERD_URL: older, XENHERD_TOKEN: TOKEN });
    expect([o.code, o.stderr]).toEqual([0, '']);
    expect(o.stdout).toMatch(/^RUNNING +KIND +ON +BY +STARTED +STATE\njob-a +drain +xen1 +bob +[\d: -]+ \(60 s ago\) +stopping\n\(this controller is of an older release: it lists no job that ended\)\n$/);
    const newer = await impostor(
      JSON.stringify({ at: 1_000_000, jobs: [], keeps: 20, commands: [], future: 1, finished: [{ jobId: 'job-b', kind: 'evacuate', hosts: [], by: 'ctl:eve', startedAt: 1, endedAt: 2, operationId: null, stopReason: null, ok: false, code: 'XH_ERR_SOMETHING_NEW', message: 'gone wrong\nsecond line', moved: 0, remaining: 2, why: 'x' }] }),
    );
    const n = await ctlFor(null)(['jobs'], { XENHERD_URL: newer, XENHERD_TOKEN: TOKEN });
    expect([n.code, n.stderr]).toEqual([0, '']);
    expect(n.stdout).toMatch(/^nothing runs in the controller now\n\nENDED .*\nID .*\njob-b +evacuate +\(fleet\) +eve +.* failed XH_ERR_SOMETHING_NEW at [\d: -]+: gone wrong\n$/);
  });

  it("lists an operator's migrate in flight, with its domU and hosts, as not cancellable", { timeout: 60_000 }, async () => {
    const { c, sims } = await fleet(SLOW);
    const moving = ctlFor(c, await c.operator('bob', 'operate'))(['migrate', 'c1', 'xen3']);
    await until(() => sims.host('xen2').commands.some((x) => x.op === 'migrate'), 'the migration of c1', { limitMs: 10_000 });
    const carol = ctlFor(c, await c.operator('carol', 'read'));
    const listing = JobsListingSchema.parse(JSON.parse((await carol(['jobs', '--json'])).stdout));
    expect(listing.running.map((r) => [r.id.slice(0, 4), r.kind, r.domu, r.hosts, r.startedBy, r.cancel])).toEqual([['cmd-', 'migrate', 'c1', ['xen2', 'xen3'], 'bob', false]]);
    expect((await carol(['jobs'])).stdout).toMatch(/\ncmd-\S+ +migrate +c1 on xen2 to xen3 +bob +.* migrating \(runs on the Dom0s to its end\)\n/);
    expect((await moving).code).toBe(0);
  });
});
