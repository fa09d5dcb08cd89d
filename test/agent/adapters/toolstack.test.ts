import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { err, ok } from '../../../shared/result.js';
import { runTool, type RunOptions, type ToolRunner } from '../../../agent/adapters/exec.js';
import type { ToolFailure } from '../../../agent/adapters/tool-failure.js';
import { createToolstack, openToolstack } from '../../../agent/adapters/toolstack.js';
import { detectToolstack } from '../../../agent/adapters/toolstack-detect.js';
import { openToolstackWithList } from '../../../agent/adapters/open-toolstack.js';
import { FIXTURE_ROOT, readFixture } from '../../fixture.js';

interface Answer {
  readonly stdout?: string;
  readonly stderr?: string;
  readonly exitCode?: number;
  readonly notFound?: boolean;
  readonly timeout?: boolean;
}

/** A ToolRunner answering from a table keyed by "tool arg arg…"; records every call. */
function fakeRunner(table: Record<string, Answer | Answer[]>) {
  const calls: { tool: string; args: readonly string[]; options: RunOptions | undefined }[] = [];
  const run: ToolRunner = async (tool, args, options) => {
    calls.push({ tool, args, options });
    const key = [tool, ...args].join(' ');
    const entry = table[key];
    const a: Answer = Array.isArray(entry) ? (entry.shift() ?? {}) : (entry ?? { notFound: true });
    const base = { tool, args: [...args], stdout: a.stdout ?? '', stderr: a.stderr ?? '', exitCode: a.exitCode ?? 0, signal: null };
    if (a.notFound) return err<ToolFailure>({ ...base, exitCode: null, code: 'XH_ERR_TOOL_NOT_FOUND', message: `${tool}: not found` });
    if (a.timeout) return err<ToolFailure>({ ...base, exitCode: null, signal: 'SIGTERM', code: 'XH_ERR_TOOL_TIMEOUT', message: `${key}: timeout` });
    if ((a.exitCode ?? 0) !== 0) return err<ToolFailure>({ ...base, code: 'XH_ERR_TOOL_FAILED', message: `${key}: exit ${a.exitCode}` });
    return ok({ stdout: base.stdout, stderr: base.stderr, exitCode: 0 });
  };
  return { run, calls };
}

const body = (f: string): string => readFixture(f).body;
const XL_HDR = 'Name                                        ID   Mem VCPUs\tState\tTime(s)\n';
const row = (letters: string): string => `${'web1'.padEnd(40)}     9  1024     2     ${letters}     3321.7\n`;
const NO_WEB1 = { stderr: 'web1 is an invalid domain identifier (rc=-6)\n', exitCode: 1 };

describe('detectToolstack', () => {
  it('xl when xl works and xm is absent', async () => {
    const { run } = fakeRunner({ 'xl list': { stdout: body('xl/list-4.9-three-domains.txt') } });
    expect(await detectToolstack(run)).toEqual({ ok: true, value: 'xl' });
  });
  it('xl when xm exists but xend is down', async () => {
    const { run } = fakeRunner({ 'xl list': { stdout: body('xl/list-4.9-three-domains.txt') }, 'xm list': { stderr: body('xm/no-xend.stderr.txt'), exitCode: 1 } });
    expect(await detectToolstack(run)).toEqual({ ok: true, value: 'xl' });
  });
  it('xm when xend answers, even though xl list works too', async () => {
    const { run } = fakeRunner({ 'xl list': { stdout: body('xl/list-4.9-three-domains.txt') }, 'xm list': { stdout: body('xm/list-many-domains.txt') } });
    expect(await detectToolstack(run)).toEqual({ ok: true, value: 'xm' });
  });
  it('a configured preference is not second-guessed', async () => {
    const { run, calls } = fakeRunner({});
    expect(await detectToolstack(run, 'xm')).toEqual({ ok: true, value: 'xm' });
    expect(calls).toHaveLength(0);
  });
  it('neither works: the failure says why', async () => {
    const { run } = fakeRunner({ 'xl list': { stderr: 'xc: error: Could not obtain handle on privileged command interface\n', exitCode: 1 } });
    const r = await detectToolstack(run);
    expect(!r.ok && r.error.code).toBe('XH_ERR_TOOL_FAILED');
    const noXen = fakeRunner({ 'xl list': { stderr: body('xl/no-hypervisor.stderr.txt'), exitCode: 1 } });
    const booted = await detectToolstack(noXen.run);
    expect(!booted.ok && booted.error.message).toBe('xl list: cannot reach the Xen hypervisor (No such file or directory): is this Dom0 booted with Xen? (its boot menu entry, and /proc/xen/capabilities saying control_d)');
    const none = await detectToolstack(fakeRunner({}).run);
    expect(!none.ok && none.error.code).toBe('XH_ERR_TOOL_NOT_FOUND');
  });
  it('openToolstackWithList (the daemon\'s read) words a failure as detectToolstack does: Xen refusing the tools, no hypervisor', async () => {
    const refused = fakeRunner({ 'xl list': { stderr: 'libxl: error: libxl.c:669:libxl_list_domain: getting domain info list: Permission denied\nlibxl_list_domain failed.\n', exitCode: 1 } });
    const r = await openToolstackWithList(refused.run, undefined);
    expect(!r.ok && r.error.message).toMatch(/^xl list: Xen refused getting domain info list .*: these xl tools were built for another Xen than the running one \(reboot into/);
    const noXen = await openToolstackWithList(fakeRunner({ 'xl list': { stderr: body('xl/no-hypervisor.stderr.txt'), exitCode: 1 } }).run, undefined);
    expect(!noXen.ok && noXen.error.message).toMatch(/^xl list: cannot reach the Xen hypervisor \(No such file or directory\): is this Dom0 booted with Xen\?/);
  });
  it('xm only, xend not running: the read says to start xend and where its logs are', async () => {
    const noXend = await detectToolstack(fakeRunner({ 'xm list': { stderr: body('xm/no-xend.stderr.txt'), exitCode: 1 } }).run);
    expect(!noXend.ok && noXend.error.message).toBe(
      'xm list: xend is not running (No such file or directory): start it (`/etc/init.d/xend start`); if it stops again, /var/log/xen/xend.log and xend-debug.log say why',
    );
  });
  it('xenstored not running, Xen running: the read names xenstored and where to look, not the hypervisor', async () => {
    const noStore = await openToolstackWithList(fakeRunner({ 'xl list': { stderr: body('xl/xenstore-down-4.14-gen.stderr.txt'), exitCode: 1 } }).run, undefined);
    expect(!noStore.ok && noStore.error.message).toBe(
      'xl list: cannot connect to xenstore (No such file or directory): xenstored is not running on this Dom0. See `systemctl status xenstored xencommons` ' +
        '(xencommons starts it at boot) and /var/log/xen/xenstored*; it runs only on a Dom0 booted with Xen (/proc/xen/capabilities saying control_d)',
    );
  });
  it('openToolstack builds the adapter for the detected kind', async () => {
    const { run } = fakeRunner({ 'xm list': { stdout: body('xm/list-many-domains.txt') } });
    const t = await openToolstack({ run });
    expect(t.ok && t.value.kind).toBe('xm');
  });
});

describe('Toolstack with a fake runner', () => {
  it('lists with xl and with xm, with a timeout on every call', async () => {
    const f = fakeRunner({ 'xl list': { stdout: body('xl/list-4.9-paused.txt') }, 'xm list': { stdout: body('xm/list-gen-stopped-managed.txt') } });
    const xl = await createToolstack('xl', { run: f.run }).list();
    expect(xl.ok && xl.value.map((d) => d.state)).toEqual(['running', 'paused']);
    const xm = await createToolstack('xm', { run: f.run }).list();
    expect(xm.ok && xm.value.map((d) => d.domid)).toEqual([0, 12, null, null]);
    expect(f.calls.every((c) => typeof c.options?.timeoutMs === 'number')).toBe(true);
  });
  it('listOne: null for a domain that does not exist, a failure for a broken tool', async () => {
    const f = fakeRunner({ 'xl list web1': NO_WEB1, 'xl list web2': { stderr: 'libxl: error: cannot open xenstore\n', exitCode: 1 } });
    const t = createToolstack('xl', { run: f.run });
    expect(await t.listOne('web1')).toEqual({ ok: true, value: null });
    expect((await t.listOne('web2')).ok).toBe(false);
    // xl could not list the domains to look web3 up (ERROR_NOMEM, rc=-5): a failure, not "web3 does not exist"
    const noList = fakeRunner({ 'xl list web3': { stderr: 'libxl: error: libxl.c:669:libxl_list_domain: getting domain info list: Cannot allocate memory\nweb3 is an invalid domain identifier (rc=-5)\n', exitCode: 1 } });
    expect((await createToolstack('xl', { run: noList.run }).listOne('web3')).ok).toBe(false);
  });
  it('info and version', async () => {
    const f = fakeRunner({ 'xl info': { stdout: body('xl/info-4.17.0-arm64.txt') }, 'xm info': { stdout: body('xm/info-gen-4.1.txt') } });
    expect(await createToolstack('xl', { run: f.run }).version()).toEqual({ ok: true, value: '4.17.0' });
    expect(await createToolstack('xm', { run: f.run }).version()).toEqual({ ok: true, value: '4.1.4' });
    const info = await createToolstack('xl', { run: f.run }).info();
    expect(info.ok && info.value.freeMemoryMiB).toBe(2529);
  });
  it('pause re-checks the state: paused → ok', async () => {
    const f = fakeRunner({ 'xl pause web1': {}, 'xl list web1': { stdout: XL_HDR + row('--p---') } });
    const r = await createToolstack('xl', { run: f.run }).pause('web1');
    expect(r.ok && r.value.state).toBe('paused');
  });
  it('pause exits 0 but nothing changed → typed failure', async () => {
    const f = fakeRunner({ 'xl pause web1': {}, 'xl list web1': { stdout: XL_HDR + row('-b----') } });
    const r = await createToolstack('xl', { run: f.run }).pause('web1');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('XH_ERR_TOOL_FAILED');
      expect(r.error.message).toBe('xl pause web1 exited 0 but the domain is blocked (-b----)');
    }
  });
  it('unpause: still paused → failure; gone → failure; running → ok', async () => {
    const f = fakeRunner({ 'xm unpause web1': [{}, {}, {}], 'xm list web1': [
      { stdout: 'Name                                        ID   Mem VCPUs      State   Time(s)\n' + row('--p---') },
      { stderr: "Error: Domain 'web1' does not exist.\n", exitCode: 3 },
      { stdout: 'Name                                        ID   Mem VCPUs      State   Time(s)\n' + row('r-----') },
    ] });
    const t = createToolstack('xm', { run: f.run });
    expect((await t.unpause('web1')).ok).toBe(false);
    const gone = await t.unpause('web1');
    expect(!gone.ok && gone.error.message).toMatch(/is gone/);
    const r = await t.unpause('web1');
    expect(r.ok && r.value.state).toBe('running');
  });
  it('create, shutdown -w, destroy pass argv through with their own time limits', async () => {
    const f = fakeRunner({ 'xl create /etc/xen/drbd-auto/web1.cfg vcpus=2': {}, 'xl shutdown -w web1': {}, 'xl shutdown web1': {}, 'xl destroy web1': NO_WEB1 });
    const t = createToolstack('xl', { run: f.run, timeouts: { shutdown: 1234 } });
    expect(await t.create('/etc/xen/drbd-auto/web1.cfg', ['vcpus=2'])).toEqual({ ok: true, value: undefined });
    expect((await t.shutdown('web1', { wait: true })).ok).toBe(true);
    expect((await t.shutdown('web1')).ok).toBe(true);
    const d = await t.destroy('web1');
    expect(!d.ok && d.error.message).toBe('xl destroy web1: no domain "web1"');
    expect(f.calls[1]?.options?.timeoutMs).toBe(1234);
  });
  it('xl shutdown of a guest without PV drivers says so, not its "Shutting down domain N" first line', async () => {
    const f = fakeRunner({ 'xl shutdown -w web1': { stderr: body('xl/shutdown-gen-4.17-hvm-no-pv-drivers.stderr.txt'), exitCode: 1 } });
    const r = await createToolstack('xl', { run: f.run }).shutdown('web1', { wait: true });
    expect(!r.ok && r.error.message).toBe(
      'xl shutdown -w web1: the guest has no PV drivers answering (an HVM guest without Xen PV drivers, or one not booted far enough to load them), ' +
        'so it cannot be asked to shutdown; `xl shutdown -F` sends it an ACPI power button event instead, which the guest must handle',
    );
  });
  it('xl refusing because xend runs gets a message saying what to do', async () => {
    const f = fakeRunner({ 'xl pause web1': { stderr: body('xl/xend-running.stderr.txt'), exitCode: 1 } });
    const r = await createToolstack('xl', { run: f.run }).pause('web1');
    expect(!r.ok && r.error.message).toMatch(/while xend runs: use xm/);
  });
  it('xl whose hypercalls Xen refuses: the failure names the tools/hypervisor mismatch and its fix; a domU looked up then is not "gone"', async () => {
    // GENERATED from libxl_list_domain's LIBXL__LOG_ERRNO (its "getting domain info list" as the real 4.4.2 capture words it) and xl's
    // "libxl_list_domain failed." (list_domains) and find_domain's "invalid domain identifier" with libxl_name_to_domid's ERROR_NOMEM
    const refused = 'libxl: error: libxl.c:669:libxl_list_domain: getting domain info list: Permission denied\n';
    const f = fakeRunner({
      'xl list': { stderr: `${refused}libxl_list_domain failed.\n`, exitCode: 1 },
      'xl list web1': { stderr: `${refused}web1 is an invalid domain identifier (rc=-5)\n`, exitCode: 1 },
      'xl info': { stdout: body('xl/info-4.4.2-ubuntu-physinfo-denied.txt'), stderr: body('xl/physinfo-denied-4.4.2-ubuntu.stderr.txt') },
    });
    const t = createToolstack('xl', { run: f.run });
    const list = await t.list();
    expect(!list.ok && list.error.message).toBe(
      'xl list: Xen refused getting domain info list ("Permission denied", though xl runs as root): these xl tools were built for another Xen than the running one ' +
        '(reboot into the Xen they came with, or install the tools of the running one), or an XSM/FLASK policy denies Dom0 that call',
    );
    const one = await t.listOne('web1');
    expect(one.ok).toBe(false);
    expect(!one.ok && one.error.message).toMatch(/^xl list web1: Xen refused getting domain info list .* built for another Xen than the running one/);
    const info = await t.info();
    expect(!info.ok && 'expected' in info.error && info.error.expected).toMatch(/Permission denied" as root means Xen refused it: these xl tools were built for another Xen .* XSM\/FLASK/);
  });
  it('migrate: a failed migration is an answer with its transcript', async () => {
    const transcript = body('xl/migrate-4.17-resumed-at-sender.txt');
    const f = fakeRunner({ 'xl migrate -s ssh -i /k web1 dom0-b': { stderr: transcript, exitCode: 1 } });
    const r = await createToolstack('xl', { run: f.run }).migrate('web1', 'dom0-b', { sshCommand: 'ssh -i /k' });
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.value.outcome).toMatchObject({ kind: 'resumed-at-sender', domainAt: 'source', exitCode: 1 });
      expect(r.value.transcript).toBe(transcript);
    }
    expect(f.calls[0]?.options?.timeoutMs).toBe(30 * 60_000);
  });
  it('migrate: success, -C config, and xm --live', async () => {
    const f = fakeRunner({
      'xl migrate -C /etc/xen/web1.cfg web1 dom0-b': { stderr: body('xl/migrate-4.9-success.txt') },
      'xm migrate --live web1 dom0-b': {},
    });
    const xl = await createToolstack('xl', { run: f.run }).migrate('web1', 'dom0-b', { configPath: '/etc/xen/web1.cfg' });
    expect(xl.ok && xl.value.outcome.kind).toBe('success');
    const xm = await createToolstack('xm', { run: f.run }).migrate('web1', 'dom0-b');
    expect(xm.ok && xm.value.outcome).toMatchObject({ kind: 'success', domainAt: 'target' });
  });
  it('migrate: a timeout is a failure, not an outcome', async () => {
    const f = fakeRunner({ 'xl migrate web1 dom0-b': { timeout: true } });
    const r = await createToolstack('xl', { run: f.run }).migrate('web1', 'dom0-b', { timeoutMs: 5 });
    expect(!r.ok && r.error.code).toBe('XH_ERR_TOOL_TIMEOUT');
    expect(f.calls[0]?.options?.timeoutMs).toBe(5);
  });
});

describe('Toolstack with a real child process (fake xl on PATH, real runTool)', () => {
  // made before this block's first test, not while the file is collected: a run filtered to other
  // tests runs no hook of this block, and would leave the directory behind
  let dir = '';
  afterAll(() => {
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });
  const fx = (f: string): string => JSON.stringify(join(FIXTURE_ROOT, f));
  // Strips the "#@ " provenance header and prints the fixture byte for byte.
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'xenherd-xl-'));
    writeFileSync(
      join(dir, 'xl'),
      `#!/bin/sh
show() { sed '/^#@ /d' "$1"; }
case "$1 $2" in
  "list ") show ${fx('xl/list-4.9-three-domains.txt')} ;;
  "list nosuch") show ${fx('xl/list-unknown-domain.stderr.txt')} >&2; exit 1 ;;
  "info ") show ${fx('xl/info-4.4.3-centos6.txt')} ;;
  "pause guest-01") exit 0 ;;
  "migrate guest-01") show ${fx('xl/migrate-4.17-final-handshake.txt')} >&2; exit 1 ;;
  "list guest-01") printf 'Name                                        ID   Mem VCPUs\\tState\\tTime(s)\\n'; printf '%-40s %5d %5d %5d     %s  %8.1f\\n' guest-01 1 1024 2 -b---- 6.0 ;;
  *) echo "unexpected: $*" >&2; exit 2 ;;
esac
`,
    );
    chmodSync(join(dir, 'xl'), 0o755);
  });
  const run: ToolRunner = (tool, args, options) => runTool(tool, args, { ...options, env: { ...options?.env, PATH: `${dir}:${process.env['PATH'] ?? ''}` } });
  const t = createToolstack('xl', { run });

  it('list and info through a real process', async () => {
    const l = await t.list();
    expect(l.ok && l.value.map((d) => [d.name, d.domid, d.state])).toEqual([['Domain-0', 0, 'running'], ['guest-01', 1, 'blocked'], ['Avignon-02', 5, 'blocked']]);
    expect(await t.version()).toEqual({ ok: true, value: '4.4.3-12.el6' });
  });
  it('unknown domain and a pause that did nothing', async () => {
    expect(await t.listOne('nosuch')).toEqual({ ok: true, value: null });
    const p = await t.pause('guest-01');
    expect(!p.ok && p.error.message).toBe('xl pause guest-01 exited 0 but the domain is blocked (-b----)');
  });
  it('migrate: final handshake classified from the real stderr', async () => {
    const r = await t.migrate('guest-01', 'dom0-b');
    expect(r.ok && r.value.outcome).toMatchObject({ kind: 'final-handshake', domainAt: 'unknown', exitCode: 1 });
  });
});
