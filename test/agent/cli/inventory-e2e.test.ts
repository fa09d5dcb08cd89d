import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InventorySchema, type Inventory } from '../../../shared/inventory.js';
import { readFixture } from '../../fixture.js';
import { makeFakeHost, type FakeHostSpec } from '../../helpers/fake-host.js';

// End to end from outside: the built single-file agent, fake xl/drbdadm executables on PATH that
// print verbatim captures, and host files (/proc/drbd, the guarded dir) under XENHERD_HOST_ROOT.

let bundle = '';
let outdir = '';
beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'xenherd-inv-bundle-'));
  execFileSync('node', ['packaging/build.mjs', '--outdir', outdir, 'xenherd-agent'], { stdio: 'pipe' });
  bundle = join(outdir, 'xenherd-agent');
}, 120_000);
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

const body = (rel: string): string => readFixture(rel).body;

function inventory(spec: FakeHostSpec, args: string[] = ['--json']): { status: number | null; stdout: string; stderr: string } {
  const host = makeFakeHost(spec);
  try {
    const r = spawnSync(process.execPath, [bundle, 'inventory', ...args], { env: host.env, encoding: 'utf8', timeout: 30_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  } finally {
    host.cleanup();
  }
}

const parseInv = (stdout: string): Inventory => InventorySchema.parse(JSON.parse(stdout));

const WEB1_CFG = "name = 'web1'\nmemory = 1024\nvcpus = 2\ndisk = [ 'drbd:r0,xvda,w' ]\n";

/** xl only (no xm), DRBD 8.4 after a reboot: connected to nothing, peer Unknown. */
const rebootedHost = (xlList: string): FakeHostSpec => ({
  tools: {
    xl: { list: { stdout: body(xlList) }, info: { stdout: body('xl/info-4.17-gen-numa.txt') } },
    drbdadm: {
      '--version': { stdout: body('drbd/version/9.15-kernel-84.txt') },
      'status r0': { stdout: body('drbd/status/84-wfconnection-after-reboot.txt') },
    },
  },
  files: {
    '/proc/drbd': body('drbd/proc/84.6-wfconnection-secondary-unknown.txt'),
    '/etc/xen/drbd-auto/web1.cfg': WEB1_CFG,
  },
});

describe('xenherd-agent inventory --json on a fake Dom0', () => {
  it('reports every domain of a long-name listing, with names over 40 characters intact', () => {
    const r = inventory(rebootedHost('xl/list-4.17-gen-long-names.txt'));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const inv = parseInv(r.stdout);
    expect(inv.toolstack?.kind).toBe('xl');
    expect((inv.domains ?? []).map((d) => [d.name, d.domid, d.memMiB, d.vcpus, d.state])).toEqual([
      ['Domain-0', 0, 2048, 2, 'running'],
      ['aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 3, 1024, 1, 'blocked'],
      ['bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', 4, 1024, 1, 'blocked'],
      ['customer-0042.web.frontend.eu-west.example.org-blue-green-prod', 123, 65536, 16, 'running'],
    ]);
  });

  it('reports a dying (null) domain and every shutdown reason', () => {
    const inv = parseInv(inventory(rebootedHost('xl/list-4.17-gen-every-state.txt')).stdout);
    const byName = new Map((inv.domains ?? []).map((d) => [d.name, d]));
    expect(byName.get('(null)')).toMatchObject({ baseName: null, domid: 11, state: 'dying' });
    expect(byName.get('reboot1')).toMatchObject({ state: 'shutdown', shutdownReason: 'reboot' });
    expect(byName.get('crashed1')).toMatchObject({ shutdownReason: 'crash' });
    expect(byName.get('paused1')).toMatchObject({ state: 'paused', stateLetters: '--p---' });
  });

  it('reports a migrating --incoming domain under its own name, counted as running here', () => {
    const inv = parseInv(inventory(rebootedHost('xl/list-4.17-gen-incoming.txt')).stdout);
    expect((inv.domains ?? []).find((d) => d.name === 'web1--incoming')).toMatchObject({ baseName: 'web1', migration: 'incoming', domid: 17 });
    expect(inv.guarded).toEqual([
      { name: 'web1', configPath: '/etc/xen/drbd-auto/web1.cfg', memMiB: 1024, vcpus: 2, drbdResources: ['r0'], runningHere: true, error: null },
    ]);
  });

  it('reports an 8.4 Secondary/Unknown peer after a reboot: peer role Unknown, never Secondary', () => {
    const inv = parseInv(inventory(rebootedHost('xl/list-4.17-gen-long-names.txt')).stdout);
    expect(inv.drbd).toMatchObject({ availability: 'ok', version: '8.4.6' });
    expect(inv.drbd.resources).toEqual([
      expect.objectContaining({ name: 'r0', up: true, role: 'Secondary', peerRole: 'Unknown', connection: 'Connecting', disk: 'UpToDate' }),
    ]);
    expect(inv.guarded[0]?.runningHere).toBe(false);
  });

  /** DRBD 9, resource r1 held Primary by its peer; CONFIGS: the guarded dir's files */
  const r1PrimaryOnPeer = (configs: Record<string, string>): FakeHostSpec => ({
    tools: {
      xl: { list: { stdout: body('xl/list-4.17-dom0-only.txt') }, info: { stdout: body('xl/info-4.17-gen-numa.txt') } },
      drbdadm: { '--version': { stdout: '' }, 'status r1': { stdout: body('drbd/status/9-pcs-peer-primary.txt') } },
    },
    files: { '/proc/drbd': body('drbd/proc/9.0.32-version-only.txt'), ...Object.fromEntries(Object.entries(configs).map(([f, t]) => [`/etc/xen/drbd-auto/${f}`, t])) },
  });

  it('reports a DRBD 9 peer that holds the resource Primary', () => {
    const inv = parseInv(inventory(r1PrimaryOnPeer({ 'db1.cfg': "name='db1'\nmemory=512\ndisk=['vdev=xvda, access=rw, script=block-drbd, target=r1']\n" })).stdout);
    expect(inv.drbd.resources[0]).toMatchObject({ name: 'r1', role: 'Secondary', peerRole: 'Primary', connection: 'Connected', peerDisk: 'UpToDate' });
    expect(inv.drbd.resources[0]?.peers[0]?.name).toBe('node1');
  });

  it('reads the DRBD resource of a disk on /dev/drbd/by-res/RES/VOL like a block-drbd one, and refuses an unnamed /dev/drbdN', () => {
    const inv = parseInv(
      inventory(
        r1PrimaryOnPeer({
          'db1.cfg': "name='db1'\nmemory=512\ndisk=['phy:/dev/drbd/by-res/r1/0,xvda,w']\n",
          'db2.cfg': "name='db2'\nmemory=512\ndisk=['phy:/dev/drbd3,xvda,w']\n",
        }),
      ).stdout,
    );
    expect(inv.guarded.find((g) => g.name === 'db1')).toMatchObject({ drbdResources: ['r1'], error: null });
    // the peer holds r1 Primary: what guarded autostart reads to refuse db1 here
    expect(inv.drbd.resources[0]).toMatchObject({ name: 'r1', peerRole: 'Primary' });
    const db2 = inv.guarded.find((g) => g.configPath.endsWith('db2.cfg'));
    expect(db2?.drbdResources).toEqual([]);
    expect(db2?.error).toContain('/dev/drbd3 is a DRBD device, but not which DRBD resource it is');
    expect(db2?.error).toContain('phy:/dev/drbd/by-res/RES/0,xvda,w');
  });

  it('says so and carries on when the DRBD module is not loaded, without running drbdadm status', () => {
    const r = inventory({
      tools: {
        xl: { list: { stdout: body('xl/list-4.17-dom0-only.txt') }, info: { stdout: body('xl/info-4.17-gen-numa.txt') } },
        // only --version is answered: any other drbdadm call would exit 97 and show up as a problem
        drbdadm: { '--version': { stdout: body('drbd/version/9.22-no-module.txt') } },
      },
      files: { '/etc/xen/drbd-auto/web1.cfg': WEB1_CFG },
    });
    expect(r.status).toBe(0);
    const inv = parseInv(r.stdout);
    expect(inv.drbd).toEqual({ availability: 'module-not-loaded', version: null, resources: [], unreadable: [] });
    expect(inv.guarded[0]?.drbdResources).toEqual(['r0']);
    expect(inv.problems).toEqual([]);
  });

  it('says so and carries on when DRBD tools are not installed', () => {
    const r = inventory({ tools: { xl: { list: { stdout: body('xl/list-4.17-dom0-only.txt') }, info: { stdout: body('xl/info-4.17-gen-numa.txt') } } } });
    expect(r.status).toBe(0);
    expect(parseInv(r.stdout).drbd.availability).toBe('tools-missing');
    const text = inventory({ tools: { xl: { list: { stdout: body('xl/list-4.17-dom0-only.txt') }, info: { stdout: body('xl/info-4.17-gen-numa.txt') } } } }, []);
    expect(text.stdout).toContain('DRBD tools not installed');
  });

  it('exits non-zero on garbled xl output, naming the tool, the line and what was expected', () => {
    const garbled = `${body('xl/list-4.17-dom0-only.txt')}web1    x  1024 2 -b---- 1.0\n`;
    const r = inventory({ tools: { xl: { list: { stdout: garbled }, info: { stdout: body('xl/info-4.17-gen-numa.txt') } } } });
    expect(r.status).toBe(65);
    expect(r.stderr).toMatch(/XH_ERR_TOOL_OUTPUT: xl list: xl: output line 3 .*web1.*expected/);
    expect(parseInv(r.stdout).problems[0]?.code).toBe('XH_ERR_TOOL_OUTPUT');
  });

  it('reports an unreadable guarded config by file and line, and still lists the others', () => {
    const spec = rebootedHost('xl/list-4.17-gen-long-names.txt');
    const r = inventory({ ...spec, files: { ...spec.files, '/etc/xen/drbd-auto/broken.cfg': body('domu-config/broken-unclosed-list.cfg') } });
    expect(r.status).toBe(78);
    const inv = parseInv(r.stdout);
    expect(inv.guarded.map((g) => g.name)).toEqual(['broken', 'web1']);
    expect(inv.guarded[0]?.error).toMatch(/broken\.cfg.*:\d+/);
  });

  it("names a broken guarded config on stderr with what its file name could do to the terminal escaped", () => {
    // readdir gives any bytes a file name holds; the problem line named the file as it came
    const spec = rebootedHost('xl/list-4.17-gen-long-names.txt');
    const r = inventory({ ...spec, files: { ...spec.files, '/etc/xen/drbd-auto/x\u001b]0;owned\u0007\u202e.cfg': body('domu-config/broken-unclosed-list.cfg') } });
    expect(r.status).toBe(78);
    expect(r.stderr).toContain('x\\x1b]0;owned\\x07\\u{202e}.cfg');
    expect(r.stderr.replace(/\n/g, '')).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e]/);
  });

  it('prints a table a person can read', () => {
    const r = inventory(rebootedHost('xl/list-4.17-gen-incoming.txt'), []);
    expect(r.stdout).toContain('web1--incoming');
    expect(r.stdout).toContain('web1: running here, 1024 MiB, 2 vcpus');
    expect(r.stdout).toContain('r0: local Secondary UpToDate | peer Unknown WFConnection');
  });

  it('--toolstack xm on an xl host: the domains are unknown and so is whether a domU runs, never "not running here"', () => {
    const spec = rebootedHost('xl/list-4.17-gen-incoming.txt');
    const r = inventory(spec, ['--json', '--toolstack', 'xm']);
    expect(r.status).toBe(69);
    expect(r.stderr).toContain('XH_ERR_TOOL_NOT_FOUND: xm list: xm: not found on PATH');
    const inv = parseInv(r.stdout);
    expect(inv.domains).toBeNull();
    expect(inv.guarded[0]).toMatchObject({ name: 'web1', runningHere: null });
    const text = inventory(spec, ['--toolstack', 'xm']);
    expect(text.status).toBe(69);
    expect(text.stdout).toContain('domains: unknown: the toolstack could not list them (see problems)');
    expect(text.stdout).toContain('web1: running here unknown (domains not listed), 1024 MiB, 2 vcpus');
    expect(text.stdout).not.toContain('not running here');
  });

  it('reads /etc/xenherd/agent.json: the guarded dir and toolstack the daemon uses', () => {
    const spec = rebootedHost('xl/list-4.17-gen-incoming.txt');
    const withXm: FakeHostSpec = {
      // xm answers too: detection alone would pick xm; the config says xl
      tools: { ...spec.tools, xm: { list: { stdout: body('xm/list-gen-states.txt') }, info: { stdout: body('xm/info-gen-4.1.txt') } } },
      files: {
        '/proc/drbd': spec.files?.['/proc/drbd'] ?? '',
        '/etc/xen/guarded/web1.cfg': WEB1_CFG,
        '/etc/xenherd/agent.json': JSON.stringify({ guardedDir: '/etc/xen/guarded', toolstack: 'xl' }),
      },
    };
    const inv = parseInv(inventory(withXm).stdout);
    expect(inv.config).toBe('/etc/xenherd/agent.json');
    expect(inv.toolstack?.kind).toBe('xl');
    expect(inv.guardedDir).toBe('/etc/xen/guarded');
    expect(inv.guarded.map((g) => [g.name, g.configPath, g.runningHere])).toEqual([['web1', '/etc/xen/guarded/web1.cfg', true]]);
    // the command line still wins
    const over = parseInv(inventory(withXm, ['--json', '--guarded-dir', '/etc/xen/drbd-auto', '--toolstack', 'xm']).stdout);
    expect([over.guardedDir, over.toolstack?.kind, over.guarded]).toEqual(['/etc/xen/drbd-auto', 'xm', []]);
  });

  it('--config FILE names the config; a bad one is XH_ERR_CONFIG (78) naming the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'xenherd-inv-config-'));
    try {
      const good = join(dir, 'agent.json');
      writeFileSync(good, JSON.stringify({ guardedDir: '/etc/xen/guarded' }));
      const spec = rebootedHost('xl/list-4.17-gen-incoming.txt');
      const inv = parseInv(inventory({ ...spec, files: { ...spec.files, '/etc/xen/guarded/web1.cfg': WEB1_CFG } }, ['--json', '--config', good]).stdout);
      expect([inv.config, inv.guardedDir, inv.guarded.map((g) => g.name)]).toEqual([good, '/etc/xen/guarded', ['web1']]);
      const bad = join(dir, 'bad.json');
      writeFileSync(bad, '{"guardedDir": "relative/dir"}');
      const r = inventory(spec, ['--config', bad]);
      expect(r.status).toBe(78);
      expect(r.stderr).toMatch(new RegExp(`XH_ERR_CONFIG: ${bad}: key "guardedDir": must be an absolute path`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('lists a standby replica from the config dir the agent config names, with its DRBD state', () => {
    const spec = rebootedHost('xl/list-4.17-dom0-only.txt');
    const r = inventory({
      tools: { xl: spec.tools['xl'] ?? {}, drbdadm: { ...spec.tools['drbdadm'], 'status r9': { stdout: body('drbd/status/84-wfconnection-after-reboot.txt').replaceAll('r0', 'r9') } } },
      files: {
        '/proc/drbd': spec.files?.['/proc/drbd'] ?? '',
        '/etc/xenherd/agent.json': JSON.stringify({ migration: { configDir: '/srv/xen' } }),
        '/srv/xen/db1.cfg': "name = 'db1'\nmemory = 512\ndisk = [ 'drbd:r9,xvda,w' ]\n",
        '/etc/drbd.d/r9.res': 'resource r9 {\n  on dom0-a { address 10.0.0.1:7789; }\n  on dom0-b { address 10.0.0.2:7789; }\n}\n',
      },
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const inv = parseInv(r.stdout);
    expect(inv.configDir).toBe('/srv/xen');
    expect(inv.standby).toEqual([{ name: 'db1', configPath: '/srv/xen/db1.cfg', drbdResources: ['r9'], home: 'dom0-b', otherHosts: ['dom0-b'], runningHere: false }]);
    expect(inv.drbd.resources.map((x) => [x.name, x.role])).toEqual([['r9', 'Secondary']]);
  });

  it('rejects bad options with a usage error', () => {
    const r = inventory({ tools: {} }, ['--toolstack', 'xe']);
    expect(r.status).toBe(64);
    expect(r.stderr).toContain('--toolstack: must be "xl" or "xm"');
  });
});
