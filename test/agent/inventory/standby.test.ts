import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hostFiles } from '../../../agent/host/files.js';
import { readStandby, type StandbyOptions } from '../../../agent/inventory/standby.js';

// Which domUs a Dom0 holds standby replicas of: config in the config dir, every DRBD resource's
// .res naming this host, home elsewhere. A failed read is a problem, never "no standby".
let roots: string[] = [];
afterEach(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
  roots = [];
});

function host(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'xenherd-standby-'));
  roots.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const res = (name: string, hosts: string[]): string => `resource ${name} {\n${hosts.map((h) => `  on ${h} {\n    address 10.0.0.1:7789;\n  }\n`).join('')}}\n`;
const cfg = (name: string, resources: string[]): string => `name = '${name}'\nmemory = 512\ndisk = [ ${resources.map((r, i) => `'drbd:${r},xvd${'abc'[i]},w'`).join(', ')} ]\n`;
const opts = (over: Partial<StandbyOptions> = {}): StandbyOptions => ({
  host: 'xen1',
  configDir: '/etc/xen',
  drbdConfigDir: '/etc/drbd.d',
  migrateTab: '/etc/xen/migrate-tab.txt',
  guardedNames: new Set(),
  dialect: 'xl',
  ...over,
});

describe('readStandby', () => {
  it('lists a domU homed on the DRBD partner, with every resource it replicates here and its home', async () => {
    const root = host({
      '/etc/xen/db1.cfg': cfg('db1', ['r2', 'r3']),
      '/etc/drbd.d/r2.res': res('r2', ['xen2', 'xen1']),
      '/etc/drbd.d/r3.res': res('r3', ['xen2', 'xen1']),
    });
    expect(await readStandby(hostFiles(root), opts())).toEqual({
      found: [{ name: 'db1', configPath: '/etc/xen/db1.cfg', drbdResources: ['r2', 'r3'], home: 'xen2', otherHosts: ['xen2'] }],
      problems: [],
    });
  });

  it('leaves out domUs homed here (guarded dir or migrate-tab), without DRBD, or not replicated here', async () => {
    const root = host({
      '/etc/xen/web1.cfg': cfg('web1', ['r1']),
      '/etc/xen/shop1.cfg': cfg('shop1', ['r5']),
      '/etc/xen/plain.cfg': "name = 'plain'\nmemory = 256\n",
      '/etc/xen/far1.cfg': cfg('far1', ['r6']),
      '/etc/xen/half1.cfg': cfg('half1', ['r1', 'r7']),
      '/etc/xen/migrate-tab.txt': 'shop1 xen2 --live\n',
      '/etc/xen/xl.conf': 'autoballoon="off"\n',
      '/etc/drbd.d/r1.res': res('r1', ['xen1', 'xen2']),
      '/etc/drbd.d/r5.res': res('r5', ['xen1', 'xen2']),
      '/etc/drbd.d/r6.res': res('r6', ['xen3', 'xen4']),
    });
    expect(await readStandby(hostFiles(root), opts({ guardedNames: new Set(['web1']) }))).toEqual({ found: [], problems: [] });
  });

  it('with three hosts on a resource the home is not guessed', async () => {
    const root = host({ '/etc/xen/nine1.cfg': cfg('nine1', ['r5']), '/etc/drbd.d/r5.res': res('r5', ['xen3', 'xen1', 'xen2']) });
    const r = await readStandby(hostFiles(root), opts());
    expect(r.found).toEqual([expect.objectContaining({ name: 'nine1', home: null, otherHosts: ['xen2', 'xen3'] })]);
  });

  it('a config that does not parse, or a .res that cannot be read, is a problem naming the file', async () => {
    const root = host({
      '/etc/xen/broken.cfg': "name = 'broken'\ndisk = [ 'drbd:r2,xvda,w'\n",
      '/etc/xen/db1.cfg': cfg('db1', ['r2']),
      // not a regular file: it exists, so "not replicated here" would be a guess
      '/etc/drbd.d/r2.res/oops': '',
    });
    const r = await readStandby(hostFiles(root), opts());
    expect(r.found).toEqual([]);
    expect(r.problems.map((p) => [p.code, p.source])).toEqual([
      ['XH_ERR_CONFIG', '/etc/xen/broken.cfg'],
      ['XH_ERR_FILE', '/etc/drbd.d/r2.res'],
    ]);
    expect(r.problems[1]?.message).toContain('whether this host replicates r2 is unknown');
  });

  it('a migrate-tab that does not parse is a problem, not "no tab"', async () => {
    const root = host({ '/etc/xen/migrate-tab.txt': 'web+2 xen1\n' });
    const r = await readStandby(hostFiles(root), opts());
    expect(r.problems).toEqual([expect.objectContaining({ code: 'XH_ERR_CONFIG', source: '/etc/xen/migrate-tab.txt' })]);
  });

  it('no config dir is no standby, not a problem', async () => {
    expect(await readStandby(hostFiles(host({})), opts())).toEqual({ found: [], problems: [] });
  });
});
