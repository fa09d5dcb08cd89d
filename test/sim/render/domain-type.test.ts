import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readFixture } from '../../fixture.js';
import type { Sim } from '../sim.js';
import { simPerTest } from '../sim-per-test.js';
import { LAB_TINY_CFG, LAB_TINYPV_CFG } from './lab-guests.js';

/**
 * A domU's type (xl.cfg `type =`) as xl 4.17.7 reads it and as `xl list -l` and libxc's migration
 * lines print it. The lab's PVH guest `tiny` and PV guest `tinypv` are created from the configs
 * test/lab/build-image.sh wrote (at the memory sizes of the capture run) and compared byte for byte.
 */
const REAL = 'real-xen-4.17';
const capture = (state: string, file: string): { stdout: string; stderr: string; rc: number } => {
  const base = `${REAL}/${state}/${file}`;
  return { stdout: readFixture(`${base}.stdout`).body, stderr: readFixture(`${base}.stderr`).body, rc: Number(readFixture(`${base}.rc`).body.trim()) };
};
const uuidIn = (json: string): string => /"uuid": "([^"]+)"/.exec(json)![1]!;

const LAB_FLEET = `
host dom0a mem=1023 dom0mem=512 overhead=15 cpus=1 toolstack=xl xen=4.17.7 drbd=8.4.11
host dom0b mem=1023 dom0mem=512 overhead=15 cpus=1 toolstack=xl xen=4.17.7 drbd=8.4.11
domu tiny mem=128 vcpus=1 home=dom0a peer=dom0b drbd=r0 running=no
`;

const startSim = simPerTest();

async function createFrom(s: Sim, path: string, text: string, domid: number): Promise<{ stderr: string; rc: number }> {
  writeFileSync(join(s.hostRoot('dom0a'), path), text);
  s.force(`next domid ${domid}`, (st) => ({ ...st, hosts: { ...st.hosts, dom0a: { ...st.hosts.dom0a!, nextDomid: domid } } }));
  const r = await s.run('dom0a', 'xl', ['create', path]);
  return { stderr: r.stderr, rc: r.exitCode };
}

const withUuid = (s: Sim, name: string, uuid: string): void =>
  s.force(`uuid of ${name} as captured`, (st) => ({ ...st, domains: st.domains.map((d) => (d.name === name ? { ...d, uuid } : d)) }));

describe('the lab guests, created from their configs', () => {
  it('PVH tiny: xl create and xl list -l tiny as captured (09)', async () => {
    const s = await startSim({ fleet: LAB_FLEET });
    const created = await createFrom(s, '/etc/xen/drbd-auto/tiny.cfg', LAB_TINY_CFG, 1);
    const want = capture('09-guest-running-on-a', 'dom0a.xl-create-tiny');
    expect(created).toEqual({ stderr: want.stderr, rc: want.rc });
    const list = capture('09-guest-running-on-a', 'dom0a.xl-list-l-tiny');
    withUuid(s, 'tiny', uuidIn(list.stdout));
    const got = await s.run('dom0a', 'xl', ['list', '-l', 'tiny']);
    expect({ stdout: got.stdout, stderr: got.stderr, rc: got.exitCode }).toEqual(list);
  });

  it('PV tinypv: xl create and xl list -l tinypv as captured (15); its migration says x86 PV', async () => {
    const s = await startSim({ fleet: LAB_FLEET });
    const created = await createFrom(s, '/etc/xen/tinypv.cfg', LAB_TINYPV_CFG, 3);
    const want = capture('15-pv-guest-xenstore-watch', 'dom0a.xl-create-tinypv');
    expect(created).toEqual({ stderr: want.stderr, rc: want.rc });
    const list = capture('15-pv-guest-xenstore-watch', 'dom0a.xl-list-l-tinypv');
    withUuid(s, 'tinypv', uuidIn(list.stdout));
    const got = await s.run('dom0a', 'xl', ['list', '-l', 'tinypv']);
    expect({ stdout: got.stdout, stderr: got.stderr, rc: got.exitCode }).toEqual(list);

    // the lab's PV migration fails later (no shadow paging in Debian's Xen); libxc names the guest first
    const m = s.start('dom0a', 'xl', ['migrate', 'tinypv', 'dom0b']);
    await s.advance(10_000);
    // with the stream header's length of the config xl sends (891 for this config)
    const typeLines = (t: string): string[] => t.split('\n').filter((l) => / type x86 | domain from Xen |0x3\/0x0\//.test(l));
    const real = typeLines(capture('15-pv-guest-xenstore-watch', 'dom0a.xl-migrate-tinypv-dom0b').stderr);
    expect(real).toEqual([
      'Saving to migration stream new xl format (info 0x3/0x0/891)',
      'Loading new save file <incoming migration stream> (new xl fmt info 0x3/0x0/891)',
      'xc: info: Saving domain 3, type x86 PV',
      'xc: info: Found x86 PV domain from Xen 4.17',
    ]);
    expect(typeLines((await m.done).stderr)).toEqual(real);
  });
});

describe('type = and builder = as xl_parse.c reads them', () => {
  const fleet = (type: string): string => `host xen1 mem=8192\nhost xen2 mem=8192\ndomu web1 mem=512 home=xen1 peer=xen2 drbd=r1 running=xen1${type}\n`;
  const cInfoType = (json: string): unknown => (JSON.parse(json) as { config: { c_info: { type: string }; b_info: Record<string, unknown> } }[]).map((e) => [e.config.c_info.type, Object.keys(e.config.b_info).filter((k) => k.startsWith('type.'))]);

  it.each([
    ['', 'pv', 'x86 PV'],
    [' type=pv', 'pv', 'x86 PV'],
    [' type=pvh', 'pvh', 'x86 HVM'],
    [' type=hvm', 'hvm', 'x86 HVM'],
  ])('fleet%s: the config, xl list -l and the migration agree on %s', async (kv, type, stream) => {
    const s = await startSim({ fleet: fleet(kv) });
    const list = await s.run('xen1', 'xl', ['list', '-l', 'web1']);
    expect(cInfoType(list.stdout)).toEqual([[type, [`type.${type}`]]]);
    const m = s.start('xen1', 'xl', ['migrate', 'web1', 'xen2']);
    await s.advance(10_000);
    const done = await m.done;
    expect(done.exitCode).toBe(0);
    expect(done.stderr).toContain(`xc: info: Saving domain 1, type ${stream}\nxc: info: Found ${stream} domain from Xen 4.17\n`);
    // the domain that arrived keeps its type
    expect(cInfoType((await s.run('xen2', 'xl', ['list', '-l', 'web1'])).stdout)).toEqual([[type, [`type.${type}`]]]);
  });

  it.each([
    ['type = "pvh"', 'pvh', ''],
    ['type = "hvm"', 'hvm', ''],
    ['type = "h"', 'hvm', ''],
    ['type = ""', 'hvm', ''],
    ['type = "p"', 'pv', ''],
    ['builder = "hvm"', 'hvm', ''],
    ['builder = "generic"', 'pv', ''],
    ['type = "hvm"\nbuilder = "hvm"', 'hvm', ''],
    ['memory = 256', 'pv', ''],
    ['type = "pvhx"', null, 'Invalid domain type pvhx.\n'],
    ['builder = "linux"', null, 'Invalid domain type linux.\n'],
    ['type = "pvh"\nbuilder = "hvm"', null, 'Contradicting "builder" and "type" options specified.\n'],
  ] as const)('%j → %s %j', async (line, type, refusal) => {
    const s = await startSim({ fleet: fleet('').replace(' running=xen1', ' running=no') });
    writeFileSync(join(s.hostRoot('xen1'), 'etc/xen/g.cfg'), `name = "g"\n${line}\n`);
    const r = await s.run('xen1', 'xl', ['create', '/etc/xen/g.cfg']);
    expect({ stderr: r.stderr, rc: r.exitCode }).toEqual({ stderr: `Parsing config from /etc/xen/g.cfg\n${refusal}`, rc: refusal ? 1 : 0 });
    const list = await s.run('xen1', 'xl', ['list', '-l', 'g']);
    if (type === null) expect(list.stderr).toBe('g is an invalid domain identifier (rc=-6)\n');
    else expect(cInfoType(list.stdout)).toEqual([[type, [`type.${type}`]]]);
  });

  it('an HVM guest from the fleet names no bootloader and libxl prints its empty display structs', async () => {
    const s = await startSim({ fleet: fleet(' type=hvm') });
    const b = (JSON.parse((await s.run('xen1', 'xl', ['list', '-l', 'web1'])).stdout) as { config: { b_info: Record<string, unknown> } }[])[0]!.config.b_info;
    expect(b.bootloader).toBeUndefined();
    expect(b['type.hvm']).toEqual({ vga: {}, vnc: {}, sdl: {}, spice: {}, rdm: {} });
    expect(b.video_memkb).toBe(8192);
  });
});
