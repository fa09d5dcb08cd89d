import { describe, expect, it } from 'vitest';
import { createDrbdAdapter, type ProcDrbdReader } from '../../../agent/adapters/drbd.js';
import type { RunOptions, ToolOutput, ToolRunner } from '../../../agent/adapters/exec.js';
import type { ToolFailure } from '../../../agent/adapters/tool-failure.js';
import { err, ok, type Result } from '../../../shared/result.js';
import { DrbdResourceViewSchema } from '../../../shared/inventory.js';
import { readFixture } from '../../fixture.js';

type Answer = { stdout?: string; stderr?: string; exitCode?: number } | 'not-found';
const fx = (p: string) => readFixture(`drbd/${p}`).body;

function fakeRunner(answers: Record<string, Answer>) {
  const calls: Array<{ tool: string; args: readonly string[]; options: RunOptions | undefined }> = [];
  const run: ToolRunner = async (tool, args, options): Promise<Result<ToolOutput, ToolFailure>> => {
    calls.push({ tool, args, options });
    const a = answers[[tool, ...args].join(' ')];
    const base = { tool, args: [...args], signal: null };
    if (a === undefined) throw new Error(`unexpected call ${tool} ${args.join(' ')}`);
    if (a === 'not-found') return err({ ...base, code: 'XH_ERR_TOOL_NOT_FOUND', exitCode: null, stdout: '', stderr: '', message: `${tool}: not found` });
    const exitCode = a.exitCode ?? 0;
    if (exitCode !== 0) return err({ ...base, code: 'XH_ERR_TOOL_FAILED', exitCode, stdout: a.stdout ?? '', stderr: a.stderr ?? '', message: 'failed' });
    return ok({ stdout: a.stdout ?? '', stderr: a.stderr ?? '', exitCode });
  };
  return { run, calls };
}
const proc = (text: string | null): ProcDrbdReader => async () => ok(text);

describe('drbd adapter: availability', () => {
  it('module not loaded: /proc/drbd absent; only drbdadm --version runs (it never modprobes)', async () => {
    const { run, calls } = fakeRunner({ 'drbdadm --version': { stdout: fx('version/9.15-kernel-84.txt') } });
    const a = await createDrbdAdapter({ run, readProcDrbd: proc(null) }).availability();
    expect(a).toEqual({ ok: true, value: { availability: 'module-not-loaded', installedModule: '8.4.11', utilsVersion: '9.15.0' } });
    expect(calls.map((c) => [c.tool, ...c.args].join(' '))).toEqual(['drbdadm --version']);
  });
  it('tools missing', async () => {
    const { run } = fakeRunner({ 'drbdadm --version': 'not-found' });
    expect(await createDrbdAdapter({ run, readProcDrbd: proc(null) }).availability()).toEqual({ ok: true, value: { availability: 'tools-missing' } });
  });
  it('8.4 and 9 from /proc/drbd', async () => {
    const { run, calls } = fakeRunner({ 'drbdadm --version': { stdout: fx('version/9.15-kernel-84.txt') } });
    const a84 = await createDrbdAdapter({ run, readProcDrbd: proc(fx('proc/84.10-connected-srcversion.txt')), timeoutMs: 1234 }).availability();
    expect(a84.ok && a84.value.availability === 'ok' && [a84.value.series, a84.value.version]).toEqual(['8.4', '8.4.10']);
    expect(calls[0]?.options?.timeoutMs).toBe(1234);
    const a9 = await createDrbdAdapter({ run, readProcDrbd: proc(fx('proc/9.0.32-version-only.txt')) }).availability();
    expect(a9.ok && a9.value.availability === 'ok' && a9.value.series).toBe('9');
  });
  it('unreadable /proc/drbd is a file failure', async () => {
    const { run, calls } = fakeRunner({});
    const a = await createDrbdAdapter({ run, readProcDrbd: async () => err({ code: 'XH_ERR_FILE', path: '/proc/drbd', message: 'EACCES' }) }).availability();
    expect(!a.ok && a.error.code).toBe('XH_ERR_FILE');
    expect(calls).toHaveLength(0);
  });
});

describe('drbd adapter: queries', () => {
  it('role/cstate/dstate/status with a timeout on every call', async () => {
    const { run, calls } = fakeRunner({
      'drbdadm role r0': { stdout: fx('role/84-secondary-unknown.txt') },
      'drbdadm cstate r0': { stdout: fx('role/84-cstate-wfconnection.txt') },
      'drbdadm dstate r0': { stdout: fx('role/84-dstate-uptodate-dunknown.txt') },
      'drbdadm status r0': { stdout: fx('status/84-wfconnection-after-reboot.txt') },
    });
    const d = createDrbdAdapter({ run, readProcDrbd: proc(null) });
    expect(await d.role('r0')).toEqual({ ok: true, value: [{ kind: 'roles', local: 'Secondary', peer: 'Unknown' }] });
    expect(await d.cstate('r0')).toEqual({ ok: true, value: [{ kind: 'cstate', state: 'WFConnection' }] });
    expect(await d.dstate('r0')).toEqual({ ok: true, value: [{ kind: 'disks', local: 'UpToDate', peers: ['DUnknown'] }] });
    const s = await d.status('r0');
    expect(s.ok && s.value[0]?.connections[0]?.connection).toBe('Connecting');
    expect(calls.every((c) => typeof c.options?.timeoutMs === 'number')).toBe(true);
  });
  it('statusJson on 8.4: typed json-unsupported', async () => {
    const { run } = fakeRunner({ 'drbdsetup status --json all': { stderr: fx('stderr/84-json-unsupported.txt'), exitCode: 20 } });
    const r = await createDrbdAdapter({ run, readProcDrbd: proc(null) }).statusJson();
    expect(!r.ok && r.error.code === 'XH_ERR_TOOL_FAILED' && r.error.drbd).toBe('json-unsupported');
  });
  it('statusJson on 9', async () => {
    const { run } = fakeRunner({ 'drbdsetup status --json all': { stdout: fx('status-json/9-current-two-peers.json') } });
    const r = await createDrbdAdapter({ run, readProcDrbd: proc(null) }).statusJson();
    expect(r.ok && r.value[0]?.name).toBe('vm7');
  });
  it('garbage output is a parse failure, not a throw', async () => {
    const { run } = fakeRunner({ 'drbdadm role r0': { stdout: 'Primary/Maybe\n' } });
    const r = await createDrbdAdapter({ run, readProcDrbd: proc(null) }).role('r0');
    expect(!r.ok && r.error.code).toBe('XH_ERR_TOOL_OUTPUT');
  });
  it('refuses names that would read as options', async () => {
    const { run, calls } = fakeRunner({});
    const r = await createDrbdAdapter({ run, readProcDrbd: proc(null) }).status('--help');
    expect(r.ok).toBe(false);
    expect(calls).toHaveLength(0);
  });
});

describe('drbd adapter: readResources → inventory view', () => {
  const answers: Record<string, Answer> = {
    'drbdadm status web': { stdout: fx('status/9-linstor-peer-primary.txt').replaceAll('pvc-1ed58414-0a3d-415d-8b20-80d4fae9cf71', 'web') },
    'drbdadm status db': { stdout: fx('status/9-multivolume-synctarget.txt').replace('resource role', 'db role') },
    'drbdadm status down': { stderr: fx('stderr/9-status-not-up.txt'), exitCode: 10 },
    'drbdadm status old': { stdout: fx('status/84-wfconnection-after-reboot.txt').replace('r0 role', 'old role') },
    'drbdadm status gone': { stderr: fx('stderr/not-in-config.txt'), exitCode: 1 },
  };
  it('maps peers, worst disk, sync %, down resources', async () => {
    const { run } = fakeRunner(answers);
    const r = await createDrbdAdapter({ run, readProcDrbd: proc(null) }).readResources(['web', 'db', 'down', 'old']);
    if (!r.ok) throw new Error(r.error.message);
    for (const v of r.value) expect(DrbdResourceViewSchema.safeParse(v).success).toBe(true);
    const [web, db, down, old] = r.value;
    expect(web).toEqual({
      name: 'web',
      up: true,
      role: 'Secondary',
      peerRole: 'Secondary',
      connection: 'Connected',
      disk: 'UpToDate',
      peerDisk: 'UpToDate',
      peers: [
        { name: 'kube-node-1', role: 'Secondary', connection: 'Connected', disk: 'UpToDate', replication: null, syncedPercent: null },
        { name: 'kube-node-2', role: 'Primary', connection: 'Connected', disk: 'UpToDate', replication: null, syncedPercent: null },
      ],
    });
    expect(db).toMatchObject({ role: 'Secondary', disk: 'Inconsistent', peerRole: 'Primary', peers: [{ replication: 'SyncTarget', syncedPercent: 10.17 }, { disk: 'Inconsistent' }] });
    expect(down).toEqual({ name: 'down', up: false, role: null, peerRole: null, connection: null, disk: null, peerDisk: null, peers: [] });
    expect(old).toMatchObject({ up: true, role: 'Secondary', peerRole: 'Unknown', connection: 'Connecting', peerDisk: 'DUnknown', peers: [{ name: 'peer', role: 'Unknown', disk: 'DUnknown' }] });
  });
  it('a resource not in the config is a failure (not "down")', async () => {
    const { run } = fakeRunner(answers);
    const r = await createDrbdAdapter({ run, readProcDrbd: proc(null) }).readResources(['web', 'gone']);
    expect(!r.ok && r.error.code === 'XH_ERR_TOOL_FAILED' && r.error.drbd).toBe('not-in-config');
  });

  // drbd-utils answers a resource that is not up with "R: No such resource" and exit 10 (the
  // `down` answer above, as user/v9 and v84 drbdsetup.c status_cmd print it): an exit of 0 that
  // leaves R out says nothing about R.
  it.each([
    ['nothing', '', 'it printed nothing'],
    ['the no-resource comment', '# No currently configured DRBD found.\n', 'it printed "# No currently configured DRBD found."'],
    ['only another resource', fx('status/84-wfconnection-after-reboot.txt'), 'it listed only r0'],
  ])('exit 0 with %s but not the resource is unreadable, not down, and says so', async (_what, stdout, seen) => {
    const { run } = fakeRunner({ 'drbdadm status web': { stdout } });
    const r = await createDrbdAdapter({ run, readProcDrbd: proc(null) }).readResource('web');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('XH_ERR_TOOL_OUTPUT');
    expect(r.error.message).toContain('`drbdadm status web` exited 0 but its output does not show web');
    expect(r.error.message).toContain(seen);
    expect(r.error.message).toContain('unknown, not down');
    expect(r.error.message).toContain('check that it lists web');
  });
  it('the same answer through drbdsetup (a drbdadm without status) names drbdsetup', async () => {
    const { run } = fakeRunner({ 'drbdadm status web': { stderr: fx('stderr/84-drbdadm-no-status.txt'), exitCode: 1 }, 'drbdsetup status web': { stdout: '' } });
    const r = await createDrbdAdapter({ run, readProcDrbd: proc(null) }).readResources(['web']);
    expect(!r.ok && r.error.message).toMatch(/^`drbdsetup status web` exited 0 but its output does not show web/);
  });
});
