import { describe, expect, it } from 'vitest';
import type { CliIo } from '../../../shared/cli/io.js';
import type { XhError } from '../../../shared/errors.js';
import { err, ok, type Result } from '../../../shared/result.js';
import type { JobEnd, JobEvent, JobRequest } from '../../../shared/protocol/ctl-jobs.js';
import type { CtlClient } from '../../../controller/ctl/client.js';
import { followJob } from '../../../controller/ctl/job-follow.js';
import { deterministicClock } from '../../sim/daemon/clock.js';
import { until } from '../../helpers/until.js';

/**
 * A controller whose answer to the start request has not come yet: the test delivers the events
 * (and the stream's end) when it wants, so a Ctrl-C lands after the request was posted and before
 * the `job` event names the job.
 */
function slowController(cancelAnswer: Result<unknown, XhError> = ok({ jobId: 'job-7', stopping: true, inFlight: 1 })): { client: CtlClient; posts: [string, unknown][]; send(e: JobEvent): void; started: () => boolean } {
  const posts: [string, unknown][] = [];
  let deliver: ((e: JobEvent) => void) | null = null;
  let finish: (r: Result<JobEnd, XhError>) => void = () => undefined;
  const client = {
    stream: (_path: string, _body: unknown, _s: unknown, onEvent: (e: JobEvent) => void, closedEarly: XhError, signal?: AbortSignal) =>
      new Promise((resolve) => {
        deliver = onEvent;
        finish = resolve;
        signal?.addEventListener('abort', () => resolve(err(closedEarly)), { once: true });
      }),
    post: (path: string, body: unknown) => (posts.push([path, body]), Promise.resolve(cancelAnswer)),
  } as unknown as CtlClient;
  const send = (e: JobEvent): void => {
    deliver?.(e);
    if (e.type === 'end') finish(ok(e));
  };
  return { client, posts, send, started: () => deliver !== null };
}

function capture(): { io: CliIo; err: () => string } {
  let e = '';
  return { io: { stdout: () => undefined, stderr: (t) => void (e += t), env: {} }, err: () => e };
}

const drain: JobRequest = { kind: 'drain', host: 'xen1', maxParallel: null, coldFallback: false, allowPartial: false, timeoutMs: null };
const job = (attached: boolean): JobEvent => ({ type: 'job', jobId: 'job-7', kind: 'drain', hosts: ['xen1'], operationId: null, by: 'ctl:alice', startedAt: 0, attached });
const cancelledEnd: JobEvent = { type: 'end', ok: false, code: 'XH_ERR_REFUSED', message: 'the drain was cancelled: 2 domU(s) remain on xen1 (1 moved)', moved: 1, remaining: [] };

function setUp(cancelAnswer?: Result<unknown, XhError>) {
  const clock = deterministicClock(0);
  const c = capture();
  const ctl = slowController(cancelAnswer);
  let interrupt: () => void = () => undefined;
  const hooks = { clock, execSsh: async () => 0, onInterrupt: (h: () => void) => ((interrupt = h), () => undefined) };
  let code: number | null = null;
  const done = followJob(ctl.client, c.io, hooks, drain, false).then((x) => (code = x));
  return { clock, c, ctl, ctrlC: () => interrupt(), done, code: () => code };
}

describe('Ctrl-C after the start request was posted, before the job event names the job', () => {
  it('in the xenherdctl that started the drain: it waits for the name, then cancels that job and follows it to its end', async () => {
    const t = setUp();
    expect(t.ctl.started()).toBe(true);
    t.ctrlC();
    expect(t.c.err()).toBe('xenherdctl: stopping drain: waiting up to 10 s for the controller to name the job this command asked for, to cancel it if this xenherdctl started it (Ctrl-C again to stop waiting)\n');
    await t.clock.advance(2_000);
    expect(t.code()).toBeNull();
    t.ctl.send(job(false));
    expect(t.ctl.posts).toEqual([['/jobs/cancel', { jobId: 'job-7' }]]);
    expect(t.c.err()).toMatch(/stopping drain: no new migrations; running ones finish \(job-7; Ctrl-C again to stop watching: the job then goes on without you, and `xenherdctl jobs` lists it\)\n$/);
    // the 10 s bound is over once the job is named: the cancelled drain is followed to its end
    await t.clock.advance(60_000);
    expect(t.code()).toBeNull();
    t.ctl.send(cancelledEnd);
    expect(await t.done).toBe(1);
    expect(t.ctl.posts).toHaveLength(1);
  });

  it("in a xenherdctl that turns out to have attached to a colleague's drain: it only stops watching (130), naming the job; nothing is cancelled", async () => {
    const t = setUp();
    t.ctrlC();
    t.ctl.send(job(true));
    expect(await t.done).toBe(130);
    expect(t.ctl.posts).toEqual([]);
    expect(t.c.err()).toMatch(/stopped watching drain xen1 \(job-7, started by ctl:alice\): .* To stop it: xenherdctl cancel job-7\n$/);
  });

  it('the controller names no job within 10 s: 130, saying the job may run and how to find and stop it', async () => {
    const t = setUp();
    t.ctrlC();
    await t.clock.advance(9_999);
    expect(t.code()).toBeNull();
    await t.clock.advance(1);
    expect(await t.done).toBe(130);
    expect(t.ctl.posts).toEqual([]);
    expect(t.c.err()).toMatch(
      /xenherdctl: stopped before the controller named the drain it was asked for \(no word from it within 10 s of Ctrl-C\): it may have started it and run it without you\. `xenherdctl jobs` lists the jobs the controller runs; `xenherdctl cancel JOB` stops one\n$/,
    );
  });

  it('Ctrl-C again while waiting: 130 at once, with the same advice', async () => {
    const t = setUp();
    t.ctrlC();
    t.ctrlC();
    expect(await t.done).toBe(130);
    expect(t.c.err()).toMatch(/stopped before the controller named the drain it was asked for \(Ctrl-C again while waiting for it\): .*`xenherdctl jobs`/);
  });

  it('a cancel the controller does not take (the job ended meanwhile, a role read token) is said, with the command that stops it', async () => {
    const t = setUp(err({ code: 'XH_ERR_AUTH', message: 'the token of carol has the role "read": this needs "operate"' }));
    t.ctrlC();
    t.ctl.send(job(false));
    const said = /the controller did not take the cancel of job-7 \(XH_ERR_AUTH: the token of carol has the role "read": this needs "operate"\): if it still runs, `xenherdctl cancel job-7` stops it\n$/;
    await until(() => said.test(t.c.err()), () => `the refused cancel said; stderr so far: ${t.c.err()}`);
  });
});
