import { createConnection } from 'node:net';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { revokeCommand } from '../../../controller/cli/revoke.js';
import { ApiErrorSchema } from '../../../shared/protocol/ctl-api.js';
import { dom, hostState } from '../states.js';
import { capture, controllerBed, type TestController } from './controller-bed.js';
import { parseRawAnswer, type RawAnswer } from './raw-https.js';
import { until } from '../../helpers/until.js';

// An operator's token is checked when the request's headers come; its body may come up to the
// server's request timeout later. A token revoked in between must not act once the body is in.

const bed = controllerBed();

/**
 * A POST whose headers go first with `Expect: 100-continue`: Node's server writes "100 Continue"
 * and runs the request handler (which checks the token) in the same turn, and this client runs in
 * that process, so `continued` resolving means the token was checked. `finish` sends the body.
 */
function heldPost(c: TestController, path: string, token: string, body: string): { continued: Promise<void>; finish: () => Promise<RawAnswer> } {
  const u = new URL(c.url);
  const tcp = createConnection({ host: u.hostname, port: Number(u.port) });
  const s = connect({ socket: tcp, ca: c.caPem, servername: 'localhost' });
  let out = '';
  let wake: () => void = () => undefined;
  const continued = new Promise<void>((resolve) => (wake = resolve));
  const closed = new Promise<string>((resolve, reject) => {
    s.on('error', reject);
    s.on('close', () => resolve(out));
  });
  s.setEncoding('utf8');
  s.on('data', (d: string) => {
    out += d;
    if (out.startsWith('HTTP/1.1 100 Continue\r\n\r\n')) wake();
  });
  s.write(`POST ${path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`);
  return {
    continued,
    finish: async () => {
      s.write(body);
      const text = await closed;
      return parseRawAnswer(text.slice(text.indexOf('\r\n\r\n') + 4));
    },
  };
}

/** web01 runs on xen1; neither fake agent answers a command, so what was sent stays pending. */
async function fleetOfTwo(c: TestController) {
  const xen1 = await c.agent('xen1');
  xen1.hello({ capabilities: ['migrate', 'reverse', 'fleet-view', 'maintenance'] });
  xen1.snapshot(hostState({ domains: [dom('web01')], homes: [{ name: 'web01', peer: 'xen2', source: 'migrate-tab' }] }));
  const xen2 = await c.agent('xen2');
  xen2.hello();
  xen2.snapshot(hostState({ domains: [] }));
  await until(() => c.core.hosts().hosts.filter((h) => h.reported).length === 2, 'both reported', { limitMs: 10_000 });
  return xen1;
}

const revokeMallory = async (c: TestController): Promise<void> => {
  const r = await capture(revokeCommand(join(c.dir, 'no-credential')).run, ['--operator', 'mallory', '--config', c.config]);
  expect(r.code, r.stderr).toBe(0);
};

const DRAIN = JSON.stringify({ kind: 'drain', host: 'xen1', maxParallel: null, coldFallback: false, allowPartial: false, timeoutMs: null });

function expectRefusedAsRevoked(r: RawAnswer): void {
  expect(r.status, r.body).toBe(401);
  expect(r.headers['www-authenticate']).toBe('Bearer');
  expect(ApiErrorSchema.parse(JSON.parse(r.body)).error).toEqual({
    code: 'XH_ERR_AUTH',
    message: "token revoked: this operator's token was revoked or replaced (xenherd-controller revoke, or operator NAME made again) while this request was being sent; nothing was done",
  });
}

describe('an operate token revoked after a request was let in and before its body came', () => {
  it('starts no migration, no drain and no cancel: 401, and the audit line names the operator', async () => {
    const c = await bed.start();
    const xen1 = await fleetOfTwo(c);
    const mallory = await c.operator('mallory', 'operate');
    const migrate = heldPost(c, '/v1/commands', mallory, JSON.stringify({ op: 'migrate', name: 'web01', target: 'xen2' }));
    const drain = heldPost(c, '/v1/jobs', mallory, DRAIN);
    await Promise.all([migrate.continued, drain.continued]);
    await revokeMallory(c);

    expectRefusedAsRevoked(await migrate.finish());
    expectRefusedAsRevoked(await drain.finish());
    expect(c.core.jobs()).toMatchObject({ jobs: [], commands: [] });
    expect(xen1.of('command')).toEqual([]);
    const audit = c.events('audit').map((l) => [l['operator'], l['path'], l['status'], l['outcome']]);
    expect(audit).toEqual([
      ['mallory', '/v1/commands', 401, 'XH_ERR_AUTH'],
      ['mallory', '/v1/jobs', 401, 'XH_ERR_AUTH'],
    ]);
  });

  it("leaves another operator's running drain running when the cancel's body comes after the revocation", async () => {
    const c = await bed.start();
    const xen1 = await fleetOfTwo(c);
    const mallory = await c.operator('mallory', 'operate');
    // the admin's drain waits for xen1 to answer its maintenance command, which the fake never does
    const admin = heldPost(c, '/v1/jobs', c.adminToken, DRAIN);
    await admin.continued;
    void admin.finish();
    await until(() => c.core.jobs().jobs.length === 1 && xen1.of('command').length === 1, 'the drain running, its first command sent', { limitMs: 10_000 });
    const jobId = c.core.jobs().jobs[0]?.jobId ?? '?';

    const cancel = heldPost(c, '/v1/jobs/cancel', mallory, JSON.stringify({ jobId }));
    await cancel.continued;
    await revokeMallory(c);
    expectRefusedAsRevoked(await cancel.finish());
    expect(c.core.jobs().jobs.map((j) => [j.jobId, j.stopping])).toEqual([[jobId, false]]);
  });
});
