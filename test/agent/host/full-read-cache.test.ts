import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultAgentConfig } from '../../../agent/config/load.js';
import { HostFileCache } from '../../../agent/host/file-cache.js';
import { hostFiles, type HostFiles } from '../../../agent/host/files.js';
import { readDomuConfigs } from '../../../agent/host/domu-configs.js';
import { readGuarded, checkCoexistence } from '../../../agent/host/host-read.js';
import { domuResources, readHomes, resourceHosts } from '../../../agent/host/homes.js';
import { readMaintenanceFlag } from '../../../agent/host/maintenance-flag.js';
import { mkfifo } from '../adapters/hostile-fs.js';

// The full re-read finds through its cache exactly what it finds reading every file: on the
// first read (nothing kept), on a later one (everything kept), and after files changed.

let roots: string[] = [];
afterEach(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
  roots = [];
});

const cfg = (name: string, resources: string[]): string => `name = "${name}"\nmemory = 512\nvcpus = 2\ndisk = [ ${resources.map((r, i) => `'drbd:${r},xvd${'abc'[i]},w'`).join(', ')} ]\n`;
const res = (name: string, hosts: string[]): string => `resource ${name} {\n${hosts.map((h) => `  on ${h} {\n    address 10.0.0.1:7789;\n  }\n`).join('')}}\n`;

function host(): string {
  const root = mkdtempSync(join(tmpdir(), 'xenherd-full-read-'));
  roots.push(root);
  const files: Record<string, string> = {
    '/etc/xen/drbd-auto/web1.cfg': cfg('web1', ['r1']),
    '/etc/xen/drbd-auto/web2.cfg': cfg('web2', ['r2', 'r3']),
    '/etc/xen/drbd-auto/broken.cfg': 'name = "broken\nmemory = \n',
    '/etc/xen/drbd-auto/web1.cfg.swp': 'junk',
    '/etc/xen/drbd-auto/same-name.cfg': cfg('web1', ['r9']),
    '/etc/xen/web1.cfg': cfg('web1', ['r1']),
    '/etc/xen/db1.cfg': cfg('db1', ['r4']),
    '/etc/xen/bad.cfg': 'disk = [ \n',
    '/etc/xen/auto/web2.cfg': cfg('web2', ['r2', 'r3']),
    '/etc/drbd.d/r1.res': res('r1', ['xen1', 'xen2']),
    '/etc/drbd.d/r2.res': res('r2', ['xen1', 'xen3']),
    '/etc/drbd.d/r4.res': res('r4', ['xen1', 'xen2']),
    '/etc/drbd.d/r9.res': 'resource r9 {\n',
    '/etc/xen/migrate-tab.txt': 'db1 xen2 --live --bogus\n',
    '/var/lib/xenherd/maintenance.json': '{"state":"online"}',
  };
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), text);
  }
  mkdirSync(join(root, '/etc/xen/drbd-auto/sub.cfg'));
  mkfifo(join(root, '/etc/xen/drbd-auto/fifo.cfg'));
  // r3.res unreadable (when not run as root): a problem the controller must see, cached or not
  writeFileSync(join(root, '/etc/drbd.d/r3.res'), res('r3', ['xen1', 'xen2']));
  chmodSync(join(root, '/etc/drbd.d/r3.res'), 0o000);
  return root;
}

const config = defaultAgentConfig();

/** the file-based parts of readHost (agent/run/read-host.ts), in the same order */
async function fullRead(files: HostFiles): Promise<unknown> {
  const guarded = await readGuarded(files, config.guardedDir, 'xl');
  const maintenance = await readMaintenanceFlag(files, config.stateDir);
  const domus = await readDomuConfigs(files, config, 'xl');
  const homes = await readHomes({ files, config, host: 'xen1' }, guarded);
  const v = { files, config, host: 'xen1' };
  return {
    guarded,
    maintenance,
    domus,
    homes: [...homes.homes.values()],
    homesProblems: homes.problems,
    resourceHosts: [...(await resourceHosts(v, ['r1', 'r2', 'r3', 'r5'])).entries()],
    db1: await domuResources(v, homes.homes, 'db1', 'xl'),
    coexistence: await checkCoexistence(files, guarded.entries, 'xl'),
  };
}

describe('the full read through HostFileCache', () => {
  it('finds what reading every file finds: first read, later reads, and after a change', async () => {
    const root = host();
    const plain = hostFiles(root);
    const cache = new HostFileCache();
    const latest = Math.max(...['/etc/xen/drbd-auto/web1.cfg', '/var/lib/xenherd/maintenance.json'].map((p) => statSync(join(root, p)).ctimeMs));
    const expected = await fullRead(plain);
    expect(JSON.stringify(expected)).toContain('broken.cfg');
    expect(await fullRead(cache.session(plain, Date.now()))).toEqual(expected);
    expect(await fullRead(cache.session(plain, latest + 60_000))).toEqual(expected);
    expect(await fullRead(cache.session(plain, latest + 120_000))).toEqual(expected);

    writeFileSync(join(root, '/etc/xen/drbd-auto/web1.cfg'), cfg('web1', ['r1', 'r4']));
    writeFileSync(join(root, '/etc/xen/drbd-auto/broken.cfg'), cfg('fixed', []));
    rmSync(join(root, '/etc/xen/db1.cfg'));
    writeFileSync(join(root, '/etc/drbd.d/r2.res'), res('r2', ['xen1', 'xen2']));
    const changed = await fullRead(plain);
    expect(changed).not.toEqual(expected);
    expect(await fullRead(cache.session(plain, Date.now() + 180_000))).toEqual(changed);
  });

  it("keeps a config's reading per toolstack: a file read by xl's rules is read again by xend's, not answered from the first", async () => {
    const root = host();
    writeFileSync(join(root, '/etc/xen/drbd-auto/gfs1.cfg'), "name = 'gfs1'\ndisk = [ 'drbd:r5,xvda,w!' ]\n");
    const session = new HostFileCache().session(hostFiles(root), Date.now());
    const gfs1 = async (dialect: 'xl' | 'xm') => (await readGuarded(session, config.guardedDir, dialect)).entries.find((e) => e.configPath.endsWith('/gfs1.cfg'));
    expect(await gfs1('xl')).toMatchObject({ drbdResources: [], error: expect.stringContaining('unknown access "w!"') });
    expect(await gfs1('xm')).toMatchObject({ name: 'gfs1', drbdResources: ['r5'], error: null });
  });
});
