import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { CtlClient } from '../../../controller/ctl/client.js';
import { loadCtlConfig } from '../../../controller/ctl/config.js';
import { realClock } from '../../../shared/clock/real-clock.js';
import { CheckAnswerSchema } from '../../../shared/protocol/ctl-check.js';
import { VERSION } from '../../../shared/version.js';
import { controllerBed, type TestController } from '../api/controller-bed.js';
import { dom, guarded, hostState, primary } from '../states.js';
import { ctlFor, impostor } from './ctl-bed.js';
import { until } from '../../helpers/until.js';

// xenherdctl check against a controller served on 127.0.0.1, port 0: the verdict rendered as a
// Nagios plugin, the thresholds passed through, and every failure an UNKNOWN with exit 3.
const bed = controllerBed();
const STATUS_LINE = /^XENHERD (OK|WARNING|CRITICAL|UNKNOWN) - [^|\n]+( \| ('[a-z_]+'=[0-9.]+s?(;[^ ;]*){0,4} ?)+)?$/;

/** xen1 runs web01 at home (DRBD r1 UpToDate on both), xen2 is its partner; app01 may be guarded as deferred on xen1. */
async function healthy(c: TestController, deferredSinceMs: number | null = null) {
  const xen1 = await c.agent('xen1');
  xen1.hello();
  const app = deferredSinceMs === null ? [] : [guarded('app01', ['r2'], { decision: 'defer', reason: 'peer-not-connected', since: new Date(deferredSinceMs).toISOString() })];
  xen1.snapshot(hostState({ domains: [dom('web01')], homes: [{ name: 'web01', peer: 'xen2', source: 'migrate-tab' }], guarded: [guarded('web01', ['r1']), ...app], drbd: { availability: 'ok', resources: [primary('r1', 'xen2')] } }));
  const xen2 = await c.agent('xen2');
  xen2.hello();
  xen2.snapshot(hostState({ drbd: { availability: 'ok', resources: [primary('r1', 'xen1', 'Secondary', 'Primary')] } }));
  await until(() => c.core.hosts().hosts.filter((h) => h.reachable).length === 2, 'both reachable', { limitMs: 10_000 });
  return { xen1, xen2 };
}

/** A loopback port nothing listens on any more: one the OS gave a server that is closed again. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

const TOKEN = `xh1.000000000000.${'a'.repeat(43)}`;

describe('xenherdctl check', () => {
  it('a healthy fleet: OK, exit 0, one status line with perfdata; the read role suffices', async () => {
    const c = await bed.start();
    await healthy(c);
    const r = await ctlFor(c, await c.operator('nagios', 'read'))(['check']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(STATUS_LINE);
    expect(lines[0]).toMatch(/^XENHERD OK - 2 hosts reachable, 1 domU running \| 'hosts'=2;;;0 'hosts_unreachable'=0;;;0;2 /);
    expect(lines[0]).toContain("'deferred_max_s'=0s;300;900;0");
  });

  it('an agent gone: CRITICAL, exit 2, the problem on its own line', async () => {
    const c = await bed.start();
    const { xen2 } = await healthy(c);
    xen2.link.close(1000, 'bye');
    await until(() => c.core.hosts().hosts.some((h) => h.host === 'xen2' && !h.reachable), 'xen2 unreachable', { limitMs: 10_000 });
    const r = await ctlFor(c)(['check']);
    expect(r.code).toBe(2);
    expect(r.stdout.split('\n')[0]).toMatch(/^XENHERD CRITICAL - xen2 unreachable \| /);
    expect(r.stdout).toContain('\nCRITICAL: xen2: agent unreachable (last heard ');
  });

  it('the thresholds go to the controller: a start deferred 6 min is a WARNING by default, OK with --warn-deferred 10m', async () => {
    const c = await bed.start();
    await healthy(c, Date.now() - 6 * 60_000);
    const ctl = ctlFor(c);
    const byDefault = await ctl(['check']);
    expect(byDefault.code).toBe(1);
    expect(byDefault.stdout).toMatch(/^XENHERD WARNING - app01 deferred 6 min on xen1 \| /);
    expect((await ctl(['check', '--warn-deferred', '10m', '--crit-deferred', '20m'])).code).toBe(0);
    const crit = await ctl(['check', '--warn-deferred', '1m', '--crit-deferred', '5m']);
    expect(crit.code).toBe(2);
    // the controller runs on the real clock: 6 min, plus however long this test has taken so far
    const deferredS = Number(/'deferred_max_s'=(\d+)s;60;300;0/.exec(crit.stdout)?.[1]);
    expect(deferredS, crit.stdout).toBeGreaterThanOrEqual(360);
    expect(deferredS, crit.stdout).toBeLessThan(420);
  });

  it('--json: the verdict as JSON, the same exit code', async () => {
    const c = await bed.start();
    await healthy(c);
    const r = await ctlFor(c)(['check', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'OK', details: [], thresholds: { warnDeferredMs: 300_000, critDeferredMs: 900_000, notHomeAfterMs: 1_800_000 } });
  });

  it('every failure is UNKNOWN with exit 3 and one line on stdout: token refused, controller down, no config, a bad answer, a bad option', async () => {
    const c = await bed.start();
    await healthy(c);
    const unknown = async (argv: string[], env: Record<string, string | undefined>, why: RegExp): Promise<void> => {
      const r = await ctlFor(c)(argv, env);
      expect(r.code, `${argv.join(' ')}: ${r.stdout}`).toBe(3);
      expect(r.stdout).toMatch(/^XENHERD UNKNOWN - [^\n]+\n$/);
      expect(r.stdout).toMatch(why);
    };
    await unknown(['check'], { XENHERD_TOKEN: TOKEN }, /XH_ERR_AUTH: token refused/);
    await unknown(['check'], { XENHERD_TOKEN: await c.enroll('xen9') }, /XH_ERR_AUTH: an agent's token/);
    await unknown(['check'], { XENHERD_URL: `https://127.0.0.1:${await closedPort()}` }, /XH_ERR_CONTROLLER_UNREACHABLE: cannot reach the controller/);
    await unknown(['check'], { XENHERD_URL: undefined, XENHERD_TOKEN: undefined }, /XH_ERR_CONFIG: no controller configured/);
    await unknown(['check'], { XENHERD_URL: await impostor('{"status":"OK"}'), XENHERD_TOKEN: TOKEN, XENHERD_CA: undefined }, /XH_ERR_PROTOCOL: the controller's answer is not what this xenherdctl expects/);
    await unknown(['check'], { XENHERD_URL: await impostor('<html>'), XENHERD_TOKEN: TOKEN, XENHERD_CA: undefined }, /XH_ERR_PROTOCOL: .*not JSON/);
    await unknown(['check', '--warn-deferred', 'soon'], {}, /XH_ERR_USAGE: --warn-deferred "soon" is not a duration/);
    await unknown(['check', '--warn-deferred', '20m', '--crit-deferred', '10m'], {}, /XH_ERR_USAGE: the deferred WARNING threshold must not be above the CRITICAL one/);
    await unknown(['check', '--bogus'], {}, /XH_ERR_USAGE/);
    await unknown(['check', 'xen1'], {}, /XH_ERR_USAGE: usage: xenherdctl check/);
  });

  it('-V and --version: the plugin\'s name and version on stdout and exit 3 (UNKNOWN), as the Monitoring Plugins guidelines ask; no controller asked', async () => {
    for (const argv of [['check', '--version'], ['check', '-V'], ['check', '--warn-deferred', '5m', '-V']]) {
      const r = await ctlFor(null)(argv, { XENHERD_URL: undefined, XENHERD_TOKEN: undefined });
      expect([r.code, r.stdout, r.stderr], argv.join(' ')).toEqual([3, `xenherdctl check ${VERSION}\n`, '']);
    }
  });

  it('nothing on stderr even with a ctl.json others can read (Icinga 2 reads stderr into the plugin output): the verdict alone', async () => {
    const answer = { at: 1, status: 'OK', summary: 'fine', details: [], perfdata: [], thresholds: { warnDeferredMs: 300_000, critDeferredMs: 900_000, notHomeAfterMs: 1_800_000 } };
    const home = mkdtempSync(join(tmpdir(), 'xenherd-checkhome-'));
    onTestFinished(() => rmSync(home, { recursive: true, force: true }));
    mkdirSync(join(home, '.config', 'xenherd'), { recursive: true });
    const file = join(home, '.config', 'xenherd', 'ctl.json');
    writeFileSync(file, JSON.stringify({ url: await impostor(JSON.stringify(answer)), token: TOKEN }));
    chmodSync(file, 0o644);
    const r = await ctlFor(null)(['check'], { HOME: home });
    expect([r.code, r.stdout, r.stderr]).toEqual([0, 'XENHERD OK - fine\n', '']);
  });

  it('a controller answering with other thresholds than asked is not believed: UNKNOWN', async () => {
    const answer = { at: 1, status: 'OK', summary: 'fine', details: [], perfdata: [], thresholds: { warnDeferredMs: 1, critDeferredMs: 2, notHomeAfterMs: 3 } };
    const r = await ctlFor(null)(['check'], { XENHERD_URL: await impostor(JSON.stringify(answer)), XENHERD_TOKEN: TOKEN });
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/^XENHERD UNKNOWN - XH_ERR_PROTOCOL: the controller judged with other thresholds/);
  });

  it('GET /v1/check refuses thresholds that are not milliseconds, or unknown parameters', async () => {
    const c = await bed.start();
    const config = loadCtlConfig({ XENHERD_URL: c.url, XENHERD_TOKEN: c.adminToken, XENHERD_CA: c.caFile });
    if (!config.ok) throw new Error(config.error.message);
    const client = new CtlClient(config.value, realClock);
    const bad = await client.get('/check?warnDeferredMs=5m', CheckAnswerSchema);
    expect(bad).toMatchObject({ ok: false, error: { code: 'XH_ERR_USAGE', message: expect.stringMatching(/^bad check thresholds: warnDeferredMs: milliseconds/) } });
    expect(await client.get('/check?warn=1', CheckAnswerSchema)).toMatchObject({ ok: false, error: { code: 'XH_ERR_USAGE' } });
    // none given: the defaults
    expect(await client.get('/check', CheckAnswerSchema)).toMatchObject({ ok: true, value: { status: 'UNKNOWN', thresholds: { warnDeferredMs: 300_000 } } });
  });
});
