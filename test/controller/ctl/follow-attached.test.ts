import { describe, expect, it } from 'vitest';
import type { CliIo } from '../../../shared/cli/io.js';
import { err, ok } from '../../../shared/result.js';
import type { XhError } from '../../../shared/errors.js';
import type { JobEnd, JobEvent, JobRequest } from '../../../shared/protocol/ctl-jobs.js';
import type { CtlClient } from '../../../controller/ctl/client.js';
import { followJob } from '../../../controller/ctl/job-follow.js';
import { deterministicClock } from '../../sim/daemon/clock.js';

/**
 * followJob against a scripted stream: EVENTS are delivered at once (as a replay is); then the
 * stream ends with the last of them if it is `end`, closes early if CLOSE, or stays open until
 * xenherdctl stops following.
 */
function scripted(events: JobEvent[], close = false, posts: [string, unknown][] = [], hasStandbys = false): CtlClient {
  return {
    hasStandbys,
    stream: (_path: string, _body: unknown, _s: unknown, onEvent: (e: JobEvent) => void, closedEarly: XhError, signal?: AbortSignal) => {
      for (const e of events) onEvent(e);
      const last = events.at(-1);
      if (last?.type === 'end') return Promise.resolve(ok(last as JobEnd));
      if (close) return Promise.resolve(err(closedEarly));
      return new Promise((resolve) => signal?.addEventListener('abort', () => resolve(err(closedEarly)), { once: true }));
    },
    post: (path: string, body: unknown) => (posts.push([path, body]), Promise.resolve(ok({ jobId: 'job-1', stopping: true, inFlight: 0 }))),
  } as unknown as CtlClient;
}

function capture(): { io: CliIo; out: () => string; err: () => string } {
  let o = '';
  let e = '';
  return { io: { stdout: (t) => void (o += t), stderr: (t) => void (e += t), env: {} }, out: () => o, err: () => e };
}

const job = (kind: 'roll' | 'drain', hosts: string[], attached: boolean): JobEvent => ({ type: 'job', jobId: 'job-1', kind, hosts, operationId: null, by: 'ctl:alice', startedAt: 0, attached });
const end: JobEvent = { type: 'end', ok: true, code: null, message: 'done', moved: 0, remaining: [] };
const drain: JobRequest = { kind: 'drain', host: 'xen1', maxParallel: null, coldFallback: false, allowPartial: false, timeoutMs: null };
const roll: JobRequest = { kind: 'roll', hosts: ['a3'], reboot: 'command', maxParallel: null, coldFallback: false, timeoutMs: null };

describe('xenherdctl following a job', () => {
  it('roll: the xenherdctl that started it runs the reboot command once per host, however often the stream names it', async () => {
    const ran: string[][] = [];
    const c = capture();
    const code = await followJob(scripted([job('roll', ['a3'], false), { type: 'reboot', hosts: ['a3'] }, { type: 'reboot', hosts: ['a3'] }, end]), c.io, { clock: deterministicClock(0), execSsh: async () => 0, runCommand: async (argv) => (ran.push([...argv]), 0) }, roll, false, ['echo', 'FIRST', '{host}']);
    expect(code).toBe(0);
    expect(ran).toEqual([['echo', 'FIRST', 'a3']]);
  });

  it('roll: a xenherdctl that attached to it does not rerun the reboot command of a replayed reboot, and says why', async () => {
    const ran: string[][] = [];
    const c = capture();
    const history: JobEvent[] = [job('roll', ['a3'], true), { type: 'reboot', hosts: ['a3'] }, { type: 'note', level: 'info', line: 'group 1/1 (a3): back; restoring' }, end];
    const code = await followJob(scripted(history), c.io, { clock: deterministicClock(0), execSsh: async () => 0, runCommand: async (argv) => (ran.push([...argv]), 0) }, roll, false, ['echo', 'AGAIN', '{host}']);
    expect(code).toBe(0);
    expect(ran).toEqual([]);
    expect(c.err()).toMatch(/not running the reboot command for a3: this xenherdctl attached to roll job-1, already running/);
  });

  it('drain: --timeout bounds a xenherdctl that attached to a drain already running (exit 90; the drain goes on)', async () => {
    const clock = deterministicClock(0);
    const c = capture();
    const req: JobRequest = { kind: 'drain', host: 'xen1', maxParallel: null, coldFallback: false, allowPartial: false, timeoutMs: 20_000 };
    const done = followJob(scripted([job('drain', ['xen1'], true)]), c.io, { clock, execSsh: async () => 0 }, req, false);
    let code: number | null = null;
    void done.then((x) => (code = x));
    await clock.advance(19_000);
    expect(code).toBeNull();
    await clock.advance(1_000);
    expect(code).toBe(90);
    expect(c.err()).toMatch(/XH_ERR_TIMEOUT: --timeout 20 s ran out while following drain job-1 .*the drain goes on in the controller; run the same command again to follow it/);
  });

  it('a drain this xenherdctl started is bounded by the controller, not by a second clock here', async () => {
    const clock = deterministicClock(0);
    const c = capture();
    const req: JobRequest = { kind: 'drain', host: 'xen1', maxParallel: null, coldFallback: false, allowPartial: false, timeoutMs: 20_000 };
    let code: number | null = null;
    void followJob(scripted([job('drain', ['xen1'], false)]), c.io, { clock, execSsh: async () => 0 }, req, false).then((x) => (code = x));
    await clock.advance(60_000);
    expect(code).toBeNull();
  });

  it("Ctrl-C in a xenherdctl that attached to a drain already running stops watching (130), cancels nothing, and names the job, who started it and how to stop it", async () => {
    const posts: [string, unknown][] = [];
    const c = capture();
    let interrupt: () => void = () => undefined;
    const hooks = { clock: deterministicClock(0), execSsh: async () => 0, onInterrupt: (h: () => void) => ((interrupt = h), () => undefined) };
    const done = followJob(scripted([job('drain', ['xen1'], true)], false, posts), c.io, hooks, drain, false);
    interrupt();
    expect(posts).toEqual([]);
    expect(await done).toBe(130);
    expect(c.err()).toBe(
      'xenherdctl: stopped watching drain xen1 (job-1, started by ctl:alice): this xenherdctl attached to it while it ran, so Ctrl-C here does not stop it; it goes on in the controller. To stop it: xenherdctl cancel job-1\n',
    );
  });

  it('Ctrl-C in the xenherdctl that started the drain cancels it and waits for its end; again, it stops watching (130)', async () => {
    const posts: [string, unknown][] = [];
    const c = capture();
    let interrupt: () => void = () => undefined;
    const hooks = { clock: deterministicClock(0), execSsh: async () => 0, onInterrupt: (h: () => void) => ((interrupt = h), () => undefined) };
    let code: number | null = null;
    const done = followJob(scripted([job('drain', ['xen1'], false)], false, posts), c.io, hooks, drain, false).then((x) => (code = x));
    interrupt();
    expect(posts).toEqual([['/jobs/cancel', { jobId: 'job-1' }]]);
    expect(c.err()).toMatch(/stopping drain: no new migrations; running ones finish/);
    await hooks.clock.advance(60_000);
    expect(code).toBeNull();
    interrupt();
    expect(await done).toBe(130);
    expect(posts).toHaveLength(1);
  });

  it('the controller gone mid-drain: 87, and it does not claim the drain goes on', async () => {
    const c = capture();
    const req: JobRequest = { kind: 'drain', host: 'xen1', maxParallel: null, coldFallback: false, allowPartial: false, timeoutMs: null };
    const code = await followJob(scripted([job('drain', ['xen1'], false)], true), c.io, { clock: deterministicClock(0), execSsh: async () => 0 }, req, false);
    expect(code).toBe(87);
    expect(c.err()).not.toMatch(/goes on there/);
    expect(c.err()).toMatch(/the controller could not be reached any more, so whether the drain goes on is unknown; run the same command again when the controller is back/);
  });

  it('the controller gone mid-drain with standbys configured: 87, and the rerun goes to a standby, which refuses until the lease lapses', async () => {
    const c = capture();
    const code = await followJob(scripted([job('drain', ['xen1'], false)], true, [], true), c.io, { clock: deterministicClock(0), execSsh: async () => 0 }, drain, false);
    expect(code).toBe(87);
    expect(c.err()).toMatch(/so whether the drain goes on is unknown; run the same command again: with this controller still gone, it goes to a standby, which continues the drain once this controller's hold on the Dom0s has lapsed \(its lease: 60 s; until then it refuses with XH_ERR_LOCKED, saying how many seconds are left\)\n$/);
  });
});
