import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { JobsPerControllerSchema } from '../../../controller/ctl/jobs-per-controller.js';
import { controllerBed } from '../api/controller-bed.js';
import { dom, hostState } from '../states.js';
import { ctlFor } from './ctl-bed.js';
import { until } from '../../helpers/until.js';

// jobs and cancel with a standby: a drain started on the standby runs there while the primary
// hears every Dom0 again. The primary is a real controller; the standby is a loopback server
// answering GET /v1/jobs with that drain running and POST /v1/jobs/cancel for it, as a controller does.

const bed = controllerBed();

/** The standby: its running drain JOB on xen2; what it was asked. */
async function standbyRunning(job: string): Promise<{ url: string; asked: string[] }> {
  const asked: string[] = [];
  const s = createServer((req, res) => {
    asked.push(`${req.method} ${req.url}`);
    const answer = (status: number, body: unknown): void => void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.method === 'GET' && req.url === '/v1/jobs') return answer(200, { at: 1_000_000, jobs: [{ jobId: job, kind: 'drain', hosts: ['xen2'], by: 'ctl:alice', startedAt: 940_000, inFlight: 1, stopping: false }], finished: [], keeps: 20, commands: [] });
    if (req.method === 'POST' && req.url === '/v1/jobs/cancel') {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const id = (JSON.parse(body) as { jobId: string }).jobId;
        if (id === job) answer(200, { jobId: job, stopping: true, inFlight: 1 });
        else answer(404, { error: { code: 'XH_ERR_NOT_FOUND', message: `no job ${id} runs in this controller` } });
      });
      return;
    }
    answer(404, { error: { code: 'XH_ERR_NOT_FOUND', message: 'no such route' } });
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  onTestFinished(() => new Promise<void>((r) => s.close(() => r())));
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, asked };
}

const JOB = 'job-0123456789abcdef';

/** A real primary hearing its one Dom0, and the standby running JOB: the env listing both, and each one's host:port. */
async function primaryAndStandby(): Promise<{ env: Record<string, string>; primary: string; second: string; asked: string[]; ctl: ReturnType<typeof ctlFor> }> {
  const a = await bed.start();
  const agent = await a.agent('xen1', await a.enroll('xen1'));
  agent.hello();
  agent.snapshot(hostState({ domains: [dom('web01')] }));
  await until(() => a.core.hosts().hosts.some((h) => h.host === 'xen1' && h.reachable), 'xen1 reachable', { limitMs: 10_000 });
  const standby = await standbyRunning(JOB);
  return { env: { XENHERD_URL: `${a.url},${standby.url}` }, primary: new URL(a.url).host, second: new URL(standby.url).host, asked: standby.asked, ctl: ctlFor(a) };
}

describe('xenherdctl jobs and cancel with a standby', () => {
  it("jobs lists each controller's jobs under its name, the standby's drain included, though the primary hears every Dom0", async () => {
    const { env, primary, second, ctl } = await primaryAndStandby();
    const t = await ctl(['jobs'], env);
    expect([t.code, t.stderr]).toEqual([0, '']);
    expect(t.stdout).toMatch(new RegExp(`^== ${primary} \\(primary\\) ==\\nnothing runs in the controller now\\n`));
    expect(t.stdout).toMatch(new RegExp(`\\n== ${second} \\(standby\\) ==\\nRUNNING +KIND .*\\n${JOB} +drain +xen2 +alice `));

    const j = JobsPerControllerSchema.parse(JSON.parse((await ctl(['jobs', '--json'], env)).stdout));
    expect(j.controllers.map((c) => [c.controller, c.role, c.listing?.running.map((r) => r.id), c.error])).toEqual([
      [primary, 'primary', [], null],
      [second, 'standby', [JOB], null],
    ]);
  });

  it('cancel finds the controller running the job (the standby), and names both when neither runs it', async () => {
    const { env, primary, second, asked, ctl } = await primaryAndStandby();
    const c = await ctl(['cancel', JOB], env);
    expect([c.code, c.stderr]).toEqual([0, '']);
    expect(c.stdout).toBe(`${JOB} stops (it runs in ${second}): no new moves; 1 running move(s) finish, and whoever follows it sees its end\n`);
    expect(asked.filter((x) => x.startsWith('POST'))).toEqual(['POST /v1/jobs/cancel']);

    const none = await ctl(['cancel', 'job-ffffffffffffffff'], env);
    expect(none.code).toBe(1);
    expect(none.stderr).toBe(`xenherdctl: XH_ERR_NOT_FOUND: no job job-ffffffffffffffff runs in ${primary}, nor in ${second} (\`xenherdctl jobs\` lists each controller's)\n`);
  });
});
