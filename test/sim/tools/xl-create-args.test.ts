import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Sim } from '../sim.js';
import { simPerTest } from '../sim-per-test.js';

/**
 * `xl create`'s config file as Xen 4.17.7's xl_vmcontrol.c main_create takes it: the first
 * argument, or -f/--defconfig's value, read as given by create_domain (libxl_read_file_contents):
 * an absolute path, or one relative to the working directory (/ for the agent under systemd);
 * none at all is refused before anything is read. Exit statuses are main_create's `-rc`:
 * ERROR_FAIL (3) for a file it cannot read, ERROR_INVAL (6) for none.
 */
const FLEET = `
host dom0a mem=4096 cpus=2 toolstack=xl xen=4.17.7 drbd=8.4.11
host dom0b mem=4096 cpus=2 toolstack=xl xen=4.17.7 drbd=8.4.11
domu tiny mem=128 vcpus=1 home=dom0a peer=dom0b drbd=r0 running=no
`;

const startSim = simPerTest();
const CFG = "name = 'tiny'\nmemory = 128\nvcpus = 1\ndisk = ['drbd:r0,xvda,w']\n";

async function withConfig(): Promise<Sim> {
  const s = await startSim({ fleet: FLEET });
  writeFileSync(join(s.hostRoot('dom0a'), 'etc/xen/tiny.cfg'), CFG);
  return s;
}

const created = (s: Sim): number => s.state().domains.filter((d) => d.host === 'dom0a' && d.name === 'tiny').length;

describe('xl create: which file it reads', () => {
  for (const argv of [
    ['create', '/etc/xen/tiny.cfg'],
    ['create', '-f', '/etc/xen/tiny.cfg'],
    ['create', '--defconfig', '/etc/xen/tiny.cfg'],
    ['create', '--defconfig=/etc/xen/tiny.cfg'],
    ['create', 'etc/xen/tiny.cfg'],
    ['create', '-p', '/etc/xen/tiny.cfg', 'vcpus=1'],
  ]) {
    it(`xl ${argv.join(' ')}: read as given, and the domain made`, async () => {
      const s = await withConfig();
      const r = await s.run('dom0a', 'xl', argv);
      expect({ rc: r.exitCode, stderr: r.stderr.split('\n')[0] }).toEqual({ rc: 0, stderr: `Parsing config from ${argv.find((a) => a.includes('tiny.cfg'))?.replace('--defconfig=', '')}` });
      expect(created(s)).toBe(1);
    });
  }

  it('-q: no "Parsing config from" line', async () => {
    const s = await withConfig();
    const r = await s.run('dom0a', 'xl', ['create', '-q', '/etc/xen/tiny.cfg']);
    expect({ rc: r.exitCode, stderr: r.stderr }).toEqual({ rc: 0, stderr: '' });
  });

  it('a file it cannot read: its path as given and strerror, exit 3 (ERROR_FAIL); never looked up in /etc/xen', async () => {
    const s = await withConfig();
    const r = await s.run('dom0a', 'xl', ['create', 'tiny.cfg']);
    expect({ rc: r.exitCode, stdout: r.stdout, stderr: r.stderr }).toEqual({ rc: 3, stdout: '', stderr: 'Failed to read config file: tiny.cfg: No such file or directory\n' });
    expect(created(s)).toBe(0);
  });

  it('no file at all: refused before anything is read, exit 6 (ERROR_INVAL)', async () => {
    const s = await withConfig();
    const r = await s.run('dom0a', 'xl', ['create', 'memory=128']);
    expect({ rc: r.exitCode, stdout: r.stdout, stderr: r.stderr }).toEqual({ rc: 6, stdout: '', stderr: 'Config file not specified and none in save file\n' });
  });
});
