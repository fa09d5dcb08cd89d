import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { away, dom, hostState } from '../states.js';
import { controllerBed, type TestController } from '../api/controller-bed.js';
import { ctlFor, impostor, skippingClock } from './ctl-bed.js';
import { until } from '../../helpers/until.js';

const bed = controllerBed();
const TOKEN = `xh1.000000000000.${'a'.repeat(43)}`;

async function twoHosts(c: TestController) {
  const xen1 = await c.agent('xen1');
  xen1.hello();
  xen1.snapshot(hostState({ domains: [dom('web01')], homes: [{ name: 'web01', peer: 'xen2', source: 'migrate-tab' }, { name: 'db1', peer: 'xen2', source: 'migrate-tab' }], ledger: { seq: 1, away: { db1: away('xen1', 'xen2') }, visitors: {} } }));
  const xen2 = await c.agent('xen2');
  xen2.hello();
  xen2.snapshot(hostState({ domains: [dom('db1')] }));
  await until(() => c.core.hosts().hosts.filter((h) => h.reported).length === 2, 'both reported', { limitMs: 10_000 });
  return { xen1, xen2 };
}

/** xen1 and xen2 report web01 moved from xen1 to xen2; resolves once the controller's view shows it. */
async function reportMoved(c: TestController, xen1: Awaited<ReturnType<typeof twoHosts>>['xen1'], xen2: Awaited<ReturnType<typeof twoHosts>>['xen2']): Promise<void> {
  xen1.delta({ domains: [] });
  xen2.delta({ domains: [dom('db1'), dom('web01')] });
  const names = (host: string): string[] => {
    const d = c.core.domains(host);
    return d.ok ? d.value.domains.map((r) => r.name) : [];
  };
  const shown = (): boolean => names('xen2').includes('web01') && !names('xen1').includes('web01');
  await until(shown, 'web01 reported on xen2', { limitMs: 10_000 });
}

describe('xenherdctl migrate / reverse: routed by the controller, progress streamed, exit code from the agent', () => {
  it('migrate: progress lines as they come, the result, exit 0', async () => {
    const c = await bed.start();
    const { xen1, xen2 } = await twoHosts(c);
    xen1.onCommand((cmd) => {
      xen1.progress(cmd.commandId, 'migrating web01 from xen1 to xen2 \u001b[31m(red)');
      // as real agents do: both report the move (two links: seen before the result), so the controller's reports confirm the agent's "ok"
      reportMoved(c, xen1, xen2).then(() => xen1.result(cmd.commandId, { ok: true, code: null, message: 'web01 migrated from xen1 to xen2', detail: null }), () => undefined);
    });
    const r = await ctlFor(c)(['migrate', 'web01', 'xen2']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^migrate web01: sent to the agent of xen1 \(operation t\d+\)\nmigrating web01 from xen1 to xen2 \\x1b\[31m\(red\)\nweb01 migrated from xen1 to xen2\n$/);
    expect(xen1.of('command')[0]).toMatchObject({ op: 'migrate', name: 'web01', target: 'xen2', by: 'ctl:admin' });
  });

  it("reverse goes to the home; a failure exits with the agent's code", async () => {
    const c = await bed.start();
    const { xen1 } = await twoHosts(c);
    xen1.onCommand((cmd) => xen1.result(cmd.commandId, { ok: false, code: 'XH_ERR_MIGRATION_FAILED', message: 'Migration failed, resuming at sender.', detail: 'xl said so' }));
    const r = await ctlFor(c)(['reverse', 'db1']);
    expect(r.code).toBe(82);
    expect(r.stderr).toBe('xenherdctl: XH_ERR_MIGRATION_FAILED: Migration failed, resuming at sender.\nxl said so\n');
  });

  it("the agent's link dropping mid-command: 91, never a success", async () => {
    const c = await bed.start();
    const { xen1 } = await twoHosts(c);
    xen1.onCommand((cmd) => {
      xen1.progress(cmd.commandId, 'started');
      xen1.link.close(1001, 'agent restarting');
    });
    // the agent never reports again: xenherdctl follows `where` until the answer has stayed stale (controller/ctl/link-lost-follow.ts)
    const r = await ctlFor(c, undefined, { clock: skippingClock() })(['migrate', 'web01', 'xen2']);
    expect(r.code).toBe(91);
    expect(r.stdout).toContain('started');
    expect(r.stderr).toMatch(/XH_ERR_AGENT_LINK_LOST: .*outcome is unknown/);
  });

  it('--json streams the events as NDJSON', async () => {
    const c = await bed.start();
    const { xen1, xen2 } = await twoHosts(c);
    xen1.onCommand((cmd) => {
      reportMoved(c, xen1, xen2).then(() => xen1.result(cmd.commandId, { ok: true, code: null, message: 'ok', detail: null }), () => undefined);
    });
    const r = await ctlFor(c)(['migrate', 'web01', '--json']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { type: string }).type)).toEqual(['accepted', 'result']);
  });

  it('refused before sending: not running anywhere (1), agent not connected (76)', async () => {
    const c = await bed.start();
    const { xen2 } = await twoHosts(c);
    const ctl = ctlFor(c);
    expect((await ctl(['migrate', 'nope', 'xen2'])).code).toBe(1);
    xen2.link.close(1000, 'bye');
    await until(() => c.core.hosts().hosts.some((h) => h.host === 'xen2' && !h.linkUp), 'xen2 down', { limitMs: 10_000 });
    const r = await ctl(['migrate', 'db1', 'xen1']);
    expect(r.code).toBe(76);
    expect(r.stderr).toMatch(/XH_ERR_AGENT_UNREACHABLE: the agent of xen2 is not connected/);
  });
});

describe('xenherdctl migrate with its words swapped', () => {
  it('a Dom0 named where the domU goes is refused with the order it meant; nothing is sent', async () => {
    const c = await bed.start();
    const { xen1, xen2 } = await twoHosts(c);
    const r = await ctlFor(c)(['migrate', 'xen2', 'web01']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('no host reports xen2 running; xen2 is a Dom0, and the domU comes first: did you mean `xenherdctl migrate web01 xen2`?');
    const other = await ctlFor(c)(['migrate', 'xen1']);
    expect(other.stderr).toContain('no host reports xen1 running; xen1 is a Dom0, and the domU comes first (usage: xenherdctl migrate NAME [HOST])');
    // a name that is no Dom0's is only not found
    expect((await ctlFor(c)(['migrate', 'web99', 'xen2'])).stderr).toMatch(/no host reports web99 running\n/);
    expect([...xen1.of('command'), ...xen2.of('command')]).toEqual([]);
  });
});

describe('xenherdctl hosts / domains / status', () => {
  it('hosts and domains as tables and as JSON', async () => {
    const c = await bed.start();
    await twoHosts(c);
    const ctl = ctlFor(c);
    const h = await ctl(['hosts']);
    expect(h.code).toBe(0);
    expect(h.stdout.split('\n')[0]).toMatch(/^HOST\s+STATE\s+LAST SEEN/);
    expect(h.stdout).toMatch(/\nxen1\s+reachable\s+\d+\.\d s ago\s+online\s+xl\s+32768\/65536 MiB\s+1\s+2\s+boot-xen/);
    const d = await ctl(['domains', '--host', 'xen2']);
    expect(d.stdout.split('\n').filter(Boolean).slice(1).map((l) => l.split(/\s+/).slice(0, 2))).toEqual([['xen2', 'db1']]);
    const dj = JSON.parse((await ctl(['domains', '--json'])).stdout) as { domains: Array<{ name: string; home: string | null }> };
    expect(dj.domains.map((x) => [x.name, x.home])).toEqual([
      ['web01', 'xen1'],
      ['db1', 'xen1'],
    ]);
    expect((await ctl(['domains', '--host', 'xen9'])).code).toBe(1);
  });

  it('status lists alerts first', async () => {
    const c = await bed.start();
    const { xen2 } = await twoHosts(c);
    xen2.delta({ domains: [dom('db1'), dom('web01')] });
    await until(() => c.core.status().alerts.length === 1, 'the alert', { limitMs: 10_000 });
    const s = await ctlFor(c)(['status']);
    expect(s.code).toBe(0);
    expect(s.stdout).toMatch(/^ALERTS \(1\)\n {2}running-on-two-hosts {2}web01 {2}since \d\d:\d\d: web01 runs on xen1 and xen2/);
    // 2 domUs, 3 rows in the hosts table: the one on two hosts is said, not left to look like a miscount
    expect(s.stdout).toMatch(/fleet: 2 hosts \(2 reachable, 0 unreachable\), 2 domUs running \(1 of them on two hosts, in the alerts above\), 0 migrating/);
    expect(c.events('alert-raised')).toHaveLength(1);
    const j = JSON.parse((await ctlFor(c)(['status', '--json'])).stdout) as { alerts: Array<{ kind: string }> };
    expect(j.alerts.map((a) => a.kind)).toEqual(['running-on-two-hosts']);
  });

  it('status names the unreachable Dom0s right after the alerts: what runs there is not known', async () => {
    const c = await bed.start();
    const { xen2 } = await twoHosts(c);
    xen2.link.close(1000, 'power lost');
    await until(() => c.core.hosts().hosts.some((h) => h.host === 'xen2' && !h.reachable), 'xen2 unreachable', { limitMs: 10_000 });
    const s = await ctlFor(c)(['status']);
    // a dead Dom0's domUs by name and their state then, and not counted as running
    expect(s.stdout).toMatch(
      /^no alerts, but 1 Dom0 unreachable; \d+ critical[^\n]* \(below\)\nUNREACHABLE \(1\): what runs there is not known\n {2}xen2 {2}agent link down, last seen \d+\.\d s ago, 1 domain\(s\) as last reported: db1 \(blocked\)\nCHECK CRITICAL - [^\n]*xen2[^\n]* \(xenherdctl check lists each problem\)\nfleet: 2 hosts \(1 reachable, 1 unreachable\), 1 domU running \(1 more only in unreachable hosts' last reports\), /,
    );
    // none unreachable: no such block
    expect((await ctlFor(null)(['status'], { XENHERD_URL: await impostor(JSON.stringify({ at: 1, alerts: [], summary: { hosts: 0, reachable: 0, unreachable: 0, domus: 0, midMigration: 0, inMaintenance: 0, alerts: 0 }, hosts: [] })), XENHERD_TOKEN: TOKEN })).stdout).toMatch(/^no alerts\nfleet: /);
  });

  it("status says check's verdict when it is not OK, though no conflict is an alert; an older controller's answer without it shows none", async () => {
    const c = await bed.start();
    await twoHosts(c);
    // web01's home xen1 is online and runs it; db1 is away from its online home xen1: no alert, yet not OK for check
    const s = await ctlFor(c)(['status']);
    const verdict = c.core.monitor.statusVerdict();
    expect(verdict.status).not.toBe('OK');
    expect(s.code).toBe(0);
    // the opening counts what the CHECK line stands for, instead of reading as all well above it
    // (db1's one problem: WARNING or CRITICAL by how long it has been away, counted in days as the test runs)
    expect(verdict.details).toHaveLength(1);
    expect(s.stdout).toMatch(new RegExp(`^no alerts; 1 ${verdict.status.toLowerCase()} \\(below\\)\\n`));
    // the summary's words, not its ages (db1 has been away for years, counted in days as the test runs)
    expect(s.stdout).toMatch(new RegExp(`\\nCHECK ${verdict.status} - [^\\n]*db1[^\\n]* \\(xenherdctl check lists each problem\\)\\nfleet: 2 hosts`));
    const j = JSON.parse((await ctlFor(c)(['status', '--json'])).stdout) as { verdict: { status: string; details: Array<{ subject?: string }> } };
    expect(j.verdict.status).toBe(verdict.status);
    expect(j.verdict.details.map((d) => d.subject)).toEqual(verdict.details.map((d) => d.subject));
    // the core's own answer carries it too: in-process callers see what xenherdctl shows
    expect(c.core.status().verdict?.status).toBe(verdict.status);
    // the same fleet, the line only when the verdict is not OK
    const answer = { ...c.core.status(), verdict: { status: 'OK', summary: '2 hosts reachable, 2 domUs running', details: [] } };
    const ok = await ctlFor(null)(['status'], { XENHERD_URL: await impostor(JSON.stringify(answer)), XENHERD_TOKEN: TOKEN });
    expect([ok.code, ok.stderr]).toEqual([0, '']);
    expect(ok.stdout).toMatch(/^no alerts\nfleet: 2 hosts/);
    const { verdict: _none, ...older } = answer;
    const old = await ctlFor(null)(['status'], { XENHERD_URL: await impostor(JSON.stringify(older)), XENHERD_TOKEN: TOKEN });
    expect(old.stdout).toMatch(/^no alerts\nfleet: 2 hosts/);
  });

  it('status past 50 hosts lists only those needing a look, in the order people number them, and counts the rest', async () => {
    const c = await bed.start();
    await twoHosts(c);
    const base = c.core.status();
    const view = base.hosts.find((h) => h.host === 'xen1')!;
    const hosts = Array.from({ length: 60 }, (_, i) => ({ ...view, host: `xen${i + 1}` }));
    hosts[9] = { ...hosts[9]!, maintenance: { state: 'maintenance', operationId: null, owner: 'ctl:admin' } };
    hosts[1] = { ...hosts[1]!, reachable: false, linkUp: false };
    const big = { ...base, hosts, summary: { ...base.summary, hosts: 60, reachable: 59, unreachable: 1 } };
    const s = await ctlFor(null)(['status'], { XENHERD_URL: await impostor(JSON.stringify(big)), XENHERD_TOKEN: TOKEN });
    expect([s.code, s.stderr]).toEqual([0, '']);
    const table = s.stdout.slice(s.stdout.indexOf('HOST '));
    expect(table.split('\n').filter(Boolean).map((l) => l.split(/\s+/)[0])).toEqual(['HOST', 'xen2', 'xen10', 'and']);
    expect(table).toMatch(/\nand 58 more hosts, reachable and online \(xenherdctl hosts lists every host\)\n$/);
    // every host fine: no table, only the count
    const fine = { ...big, hosts: hosts.map((h) => ({ ...view, host: h.host })) };
    const f = await ctlFor(null)(['status'], { XENHERD_URL: await impostor(JSON.stringify(fine)), XENHERD_TOKEN: TOKEN });
    expect(f.stdout).not.toContain('HOST ');
    expect(f.stdout).toMatch(/\n60 hosts, reachable and online \(xenherdctl hosts lists every host\)\n$/);
    // the controller lists hosts as people number them: xen2 before xen10
    const named = ['xen10', 'xen2', 'xen1'];
    for (const h of named) (await c.agent(h)).hello();
    await until(() => c.core.hosts().hosts.length === 3, 'three hosts', { limitMs: 10_000 });
    expect(c.core.hosts().hosts.map((h) => h.host)).toEqual(['xen1', 'xen2', 'xen10']);
  });

  it('status counts in words: "1 host", "1 domU running", "1 host not online", never "1 hosts"', async () => {
    const one = { at: 1, alerts: [], summary: { hosts: 1, reachable: 1, unreachable: 0, domus: 1, midMigration: 1, inMaintenance: 1, alerts: 0 }, hosts: [] };
    const s = await ctlFor(null)(['status'], { XENHERD_URL: await impostor(JSON.stringify(one)), XENHERD_TOKEN: TOKEN });
    expect([s.code, s.stderr]).toEqual([0, '']);
    expect(s.stdout).toContain('fleet: 1 host (1 reachable, 0 unreachable), 1 domU running, 1 migrating, 1 host not online\n');
    const none = { ...one, summary: { ...one.summary, hosts: 0, reachable: 0, domus: 0, midMigration: 0, inMaintenance: 0 } };
    const z = await ctlFor(null)(['status'], { XENHERD_URL: await impostor(JSON.stringify(none)), XENHERD_TOKEN: TOKEN });
    expect(z.stdout).toContain('fleet: 0 hosts (0 reachable, 0 unreachable), 0 domUs running, 0 migrating, 0 hosts not online\n');
  });

  it('status from a newer controller shows an alert kind this xenherdctl does not know, as sent', async () => {
    const c = await bed.start();
    const { xen2 } = await twoHosts(c);
    xen2.delta({ domains: [dom('db1'), dom('web01')] });
    await until(() => c.core.status().alerts.length === 1, 'the alert', { limitMs: 10_000 });
    const answer = c.core.status();
    const newer = { ...answer, alerts: answer.alerts.map((a) => ({ ...a, id: `disk-on-fire:${a.subject}`, kind: 'disk-on-fire' })) };
    const url = await impostor(JSON.stringify(newer));
    const s = await ctlFor(null)(['status'], { XENHERD_URL: url, XENHERD_TOKEN: TOKEN });
    expect(s.stderr).toBe('');
    expect(s.code).toBe(0);
    expect(s.stdout).toMatch(/^ALERTS \(1\)\n {2}disk-on-fire {2}web01 {2}since \d\d:\d\d: web01 runs on xen1 and xen2/);
    // what is not a kind at all is still refused, naming the field
    const hostile = { ...answer, alerts: answer.alerts.map((a) => ({ ...a, kind: 'Disk On Fire\u001b[31m' })) };
    const bad = await ctlFor(null)(['status'], { XENHERD_URL: await impostor(JSON.stringify(hostile)), XENHERD_TOKEN: TOKEN });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/XH_ERR_PROTOCOL: the controller's answer is not what this xenherdctl expects \(alerts\.0\.kind: an alert kind is a lower-case word/);
  });
});

describe('xenherdctl configuration: errors name the source and the fix', () => {
  it('nothing configured', async () => {
    const r = await ctlFor(null)(['hosts']);
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(/no controller configured .*set XENHERD_URL and XENHERD_TOKEN/);
  });

  it('each command that promises its exit codes in --help lists 78, the code it then exits with', async () => {
    const ctl = ctlFor(null);
    for (const argv of [['where', 'web1'], ['ssh', 'web1'], ['domains'], ['migrate', 'web1', 'xen2'], ['reverse', 'web1']]) {
      const [command] = argv as [string];
      expect((await ctl(argv)).code, argv.join(' ')).toBe(78);
      const help = (await ctl([command, '--help'])).stdout;
      expect(help.slice(help.indexOf(argv[0] === 'reverse' ? "exit: 0 back" : 'exit:')), command).toMatch(/78 no controller\s+configured or its\s+settings malformed/);
    }
  });

  it('xenherdctl --help lists its exit codes in the order of their numbers, migrate\'s own endings among them', async () => {
    const help = (await ctlFor(null)(['--help'])).stdout;
    const listed = [...help.slice(help.indexOf('exit codes:')).matchAll(/^ {2}(\d+) {2,}XH_ERR_\w+/gm)].map((m) => Number(m[1]));
    expect(listed).toEqual([...listed].sort((a, b) => a - b));
    expect(help).toMatch(/^ {2}82 {2,}XH_ERR_MIGRATION_FAILED/m);
    expect(help).toMatch(/^ {2}81 {2,}XH_ERR_LOCKED/m);
  });

  it('each environment variable is named when it is wrong', async () => {
    const ok = { XENHERD_URL: 'https://127.0.0.1:1', XENHERD_TOKEN: `xh1.0123456789ab.${'A'.repeat(43)}` };
    const ctl = ctlFor(null);
    expect((await ctl(['hosts'], { ...ok, XENHERD_URL: 'ctl:7443' })).stderr).toMatch(/XENHERD_URL: must start with https:\/\//);
    expect((await ctl(['hosts'], { ...ok, XENHERD_URL: 'http://ctl.example:7443' })).stderr).toMatch(/XENHERD_URL: http:\/\/ sends the token in clear/);
    expect((await ctl(['hosts'], { ...ok, XENHERD_TOKEN: 'secret' })).stderr).toMatch(/XENHERD_TOKEN: not a xenherd token \(xh1\.ID\.SECRET\): use/);
    // a token copied out of a terminal with the space after it
    expect((await ctl(['hosts'], { ...ok, XENHERD_TOKEN: `${ok.XENHERD_TOKEN} ` })).stderr).toMatch(/XENHERD_TOKEN: not a xenherd token \(xh1\.ID\.SECRET\) \(it begins or ends with a space or line break: remove that\): use/);
    expect((await ctl(['hosts'], { ...ok, XENHERD_CA: '/nonexistent/ca.crt' })).stderr).toMatch(/XENHERD_CA: cannot read the CA certificate/);
    const dir = mkdtempSync(join(tmpdir(), 'xenherd-badca-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'key.pem'), '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n');
    writeFileSync(join(dir, 'broken.pem'), '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
    const notCa = await ctl(['hosts'], { ...ok, XENHERD_CA: join(dir, 'key.pem') });
    expect([notCa.code, notCa.stderr]).toEqual([78, expect.stringMatching(/XH_ERR_CONFIG: XENHERD_CA: .*key\.pem holds no PEM certificate .*use the controller's tls\/ca\.crt/)]);
    expect((await ctl(['hosts'], { ...ok, XENHERD_CA: join(dir, 'broken.pem') })).stderr).toMatch(/XENHERD_CA: .*broken\.pem certificate 1 of 1 is not a valid X\.509 certificate/);
  });

  it('~/.config/xenherd/ctl.json is read, its keys named in errors, and env overrides it', async () => {
    const c = await bed.start();
    const ctl = ctlFor(null);
    const dir = mkdtempSync(join(tmpdir(), 'xenherd-ctljson-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    mkdirSync(join(dir, '.config', 'xenherd'), { recursive: true });
    const file = join(dir, '.config', 'xenherd', 'ctl.json');
    writeFileSync(file, JSON.stringify({ url: c.url, token: c.adminToken, ca: c.caFile }));
    expect((await ctl(['hosts'], { HOME: dir })).code).toBe(0);
    writeFileSync(file, JSON.stringify({ url: c.url, token: c.adminToken, cafile: c.caFile }));
    const bad = await ctl(['hosts'], { HOME: dir });
    expect(bad.code).toBe(78);
    expect(bad.stderr).toContain(`${file}: unknown key "cafile": remove it or fix its spelling`);
    writeFileSync(file, JSON.stringify({ url: 'https://127.0.0.1:1', token: c.adminToken, ca: c.caFile }));
    expect((await ctl(['hosts'], { HOME: dir, XENHERD_URL: c.url })).code).toBe(0);
  });
});
