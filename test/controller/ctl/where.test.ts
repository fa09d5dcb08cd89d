import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { makeCa } from '../../../controller/pki/certificate.js';
import { away, dom, hostState } from '../states.js';
import { controllerBed, type TestController } from '../api/controller-bed.js';
import { ctlFor } from './ctl-bed.js';
import { until } from '../../helpers/until.js';

const bed = controllerBed();

async function fleet(c: TestController) {
  const xen1 = await c.agent('xen1');
  xen1.hello();
  xen1.snapshot(hostState({ homes: [{ name: 'web01', peer: 'xen2', source: 'migrate-tab' }], ledger: { seq: 1, away: { web01: away('xen1', 'xen2', { since: new Date(Date.now() - 60_000).toISOString() }) }, visitors: {} } }));
  const xen2 = await c.agent('xen2');
  xen2.hello();
  xen2.snapshot(hostState({ domains: [dom('web01', { state: 'running' }), dom('web02', { state: 'running' })] }));
  await until(() => c.core.hosts().hosts.filter((h) => h.reported).length === 2, 'both hosts reported', { limitMs: 10_000 });
  return { xen1, xen2 };
}

describe('xenherdctl where against a real TLS controller', () => {
  it('one line per match: domU, Dom0, state, home and away record, freshness; exit 0', async () => {
    const c = await bed.start();
    await fleet(c);
    const r = await ctlFor(c)(['where', 'web01']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^web01 {2}xen2 {2}running {2}home xen1 \(away since \d\d:\d\d, manual\) {2}as of \d+\.\d s\n$/);
  });

  it('a glob lists every match', async () => {
    const c = await bed.start();
    await fleet(c);
    const r = await ctlFor(c)(['where', 'web*']);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').filter(Boolean).map((l) => l.split(/\s+/)[0])).toEqual(['web01', 'web02']);
  });

  it('nothing matches: exit 1, XH_ERR_NOT_FOUND', async () => {
    const c = await bed.start();
    await fleet(c);
    const r = await ctlFor(c)(['where', 'nope*']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/XH_ERR_NOT_FOUND: no domU matches nope\*/);
  });

  it('-q prints only the Dom0, for ssh root@$(xenherdctl where -q web01)', async () => {
    const c = await bed.start();
    await fleet(c);
    const r = await ctlFor(c)(['where', '-q', 'web01']);
    expect(r).toEqual({ code: 0, stdout: 'xen2\n', stderr: '' });
  });

  it('an answer from a host whose link dropped is marked STALE (and -q warns on stderr)', async () => {
    const c = await bed.start();
    const { xen2 } = await fleet(c);
    xen2.link.close(1000, 'gone');
    await until(() => c.core.hosts().hosts.some((h) => h.host === 'xen2' && !h.linkUp), 'xen2 down', { limitMs: 10_000 });
    const ctl = ctlFor(c);
    const r = await ctl(['where', 'web01']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/as of \d+\.\d s, STALE \(xen2: agent link down, last heard \d+\.\d s ago\)/);
    const q = await ctl(['where', '-q', 'web01']);
    expect(q.stdout).toBe('xen2\n');
    expect(q.stderr).toMatch(/^xenherdctl: warning: the answer for web01 is stale \(as of \d+\.\d s; xen2: agent link down, last heard \d+\.\d s ago\)\n$/);
  });

  it('--json: the answer with "stale" per match', async () => {
    const c = await bed.start();
    await fleet(c);
    const r = await ctlFor(c)(['where', 'web01', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as { matches: Array<{ name: string; stale: boolean; places: Array<{ host: string }>; home: string }> };
    expect(j.matches).toEqual([expect.objectContaining({ name: 'web01', stale: false, home: 'xen1', places: [expect.objectContaining({ host: 'xen2' })] })]);
    const none = await ctlFor(c)(['where', 'zz', '--json']);
    expect(none.code).toBe(1);
    expect(JSON.parse(none.stdout)).toMatchObject({ matches: [] });
  });

  it('ssh NAME runs ssh root@DOM0 with the command as separate arguments (no shell)', async () => {
    const c = await bed.start();
    await fleet(c);
    const ctl = ctlFor(c);
    expect((await ctl(['ssh', 'web01'])).code).toBe(0);
    expect((await ctl(['ssh', 'web01', '--', 'xl', 'list', '-l'])).code).toBe(0);
    expect(ctl.sshCalls).toEqual([['root@xen2'], ['root@xen2', 'xl', 'list', '-l']]);
    const none = await ctl(['ssh', 'nope']);
    expect(none.code).toBe(1);
    // as with ssh itself, the options after NAME are the remote command's
    const opt = await ctl(['ssh', 'web01', 'ls', '-l']);
    expect(opt.code).toBe(0);
    expect(ctl.sshCalls.at(-1)).toEqual(['root@xen2', 'ls', '-l']);
  });
});

describe('xenherdctl: refusals and unreachable controllers have their own exit codes', () => {
  it('a refused token: 88 XH_ERR_AUTH', async () => {
    const c = await bed.start();
    const bad = `${c.adminToken.slice(0, -3)}AAA`;
    const r = await ctlFor(c, bad)(['where', 'web01']);
    expect(r.code).toBe(88);
    expect(r.stderr).toMatch(/XH_ERR_AUTH/);
    expect(c.events('api-refused')[0]?.['reason']).toMatch(/wrong secret/);
  });

  it('a token replaced (or revoked) on the controller: 88, saying so and where to get a new one, not only "check XENHERD_TOKEN"', async () => {
    const c = await bed.start();
    const old = await c.operator('alice', 'read');
    // making alice's token again voids the old one, as revoke --operator alice would
    await c.operator('alice', 'read');
    const r = await ctlFor(c, old)(['where', 'web01']);
    expect(r.code).toBe(88);
    expect(r.stderr).toContain('XH_ERR_AUTH: token refused: unknown, revoked or replaced (`xenherd-controller tokens` on the controller lists the valid ids; ask for a new token with `xenherd-controller operator NAME`)');
    expect(r.stderr).not.toContain(old.split('.')[2] as string);
    expect(c.events('api-refused').at(-1)?.['reason']).toMatch(/^unknown token id /);
    // check (Nagios) says the same on its one line, exit 3
    const k = await ctlFor(c, old)(['check']);
    expect([k.code, k.stdout]).toEqual([3, expect.stringMatching(/^XENHERD UNKNOWN - XH_ERR_AUTH: token refused: unknown, revoked or replaced .*`xenherd-controller operator NAME`/)]);
    expect(k.stdout).not.toContain(old.split('.')[2] as string);
  });

  it('a read token may ask but not migrate: 88', async () => {
    const c = await bed.start();
    await fleet(c);
    const ctl = ctlFor(c, await c.operator('alice', 'read'));
    expect((await ctl(['where', 'web01'])).code).toBe(0);
    const m = await ctl(['migrate', 'web01', 'xen1']);
    expect(m.code).toBe(88);
    expect(m.stderr).toMatch(/role "read": this needs "operate"/);
  });

  it("an agent's token is not an operator's: 88", async () => {
    const c = await bed.start();
    const r = await ctlFor(c, await c.enroll('xen1'))(['hosts']);
    expect(r.code).toBe(88);
  });

  it('nobody listening: 87 XH_ERR_CONTROLLER_UNREACHABLE', async () => {
    const c = await bed.start();
    const url = c.url;
    await c.stop();
    const r = await ctlFor(null)(['where', 'web01'], { XENHERD_URL: url, XENHERD_TOKEN: c.adminToken, XENHERD_CA: undefined });
    expect(r.code).toBe(87);
    expect(r.stderr).toMatch(/XH_ERR_CONTROLLER_UNREACHABLE: cannot reach the controller at https:\/\/127\.0\.0\.1:\d+: ECONNREFUSED/);
  });

  // a migrate refused so said only "ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:PORT": whether
  // web01 moved, and what to look at, were left to the operator
  it('nobody listening, with the CA file as operators have it: the migrate says nothing was sent and what to look at', async () => {
    const c = await bed.start();
    const ctl = ctlFor(c);
    // the CA file as the operator keeps it: the test controller's own goes with its directory
    const ca = join(mkdtempSync(join(tmpdir(), 'xenherd-ca-')), 'ca.crt');
    copyFileSync(c.caFile, ca);
    onTestFinished(() => rmSync(dirname(ca), { recursive: true, force: true }));
    await c.stop();
    const r = await ctl(['migrate', 'web01', 'xen2'], { XENHERD_CA: ca });
    expect(r.code).toBe(87);
    expect(r.stderr).toMatch(
      /^xenherdctl: XH_ERR_CONTROLLER_UNREACHABLE: cannot reach the controller at https:\/\/127\.0\.0\.1:\d+: ECONNREFUSED: [^\n]* \(nothing listens there, so nothing was sent and nothing moved: is xenherd-controller running\? on its host: systemctl status xenherd-controller\)\n$/,
    );
  });

  it("a certificate not signed by XENHERD_CA: 87, saying what to fix", async () => {
    const c = await bed.start();
    const r = await ctlFor(c)(['hosts'], { XENHERD_CA: undefined });
    expect(r.code).toBe(87);
    expect(r.stderr).toMatch(/XENHERD_CA must be the controller's tls\/ca.crt/);
  });

  it("XENHERD_CA naming another CA: 87, saying whose certificate it is", async () => {
    const c = await bed.start();
    const dir = mkdtempSync(join(tmpdir(), 'xenherd-otherca-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'other.crt'), makeCa('another CA', Date.now()).certPem);
    const r = await ctlFor(c)(['hosts'], { XENHERD_CA: join(dir, 'other.crt') });
    expect(r.code).toBe(87);
    // the controller sends its CA with its certificate: the refusal names that CA, the one XENHERD_CA should hold
    expect(r.stderr).toMatch(/: the chain ends at the CA "O=xenherd, CN=xenherd controller CA \(ctl-test\)", which is not in the CA file \(the certificate is not trusted: XENHERD_CA must be the controller's tls\/ca.crt/);
  });
});
