import { afterEach, describe, expect, it } from 'vitest';
import { readFixture } from '../../fixture.js';
import { startSim, type Sim } from '../sim.js';

/**
 * A domain argument of digits is a domid to xl 4.17.7 (xl_utils.c find_domain →
 * libxl_domain_qualifier_to_domid), never a name; `xl domid` takes names only and `xl domname`
 * domids only. Messages from xl_info.c main_list / main_domid / main_domname.
 */
const FLEET = `
host dom0a mem=1023 dom0mem=512 overhead=15 cpus=1 xen=4.17.7
host dom0b mem=1023 dom0mem=512 overhead=15 cpus=1 xen=4.17.7
domu tiny mem=128 home=dom0a peer=dom0b drbd=r0 type=pvh running=dom0a domid=1
`;

let sim: Sim | null = null;
afterEach(async () => {
  await sim?.stop();
  sim = null;
});

async function xl(...argv: string[]): Promise<{ stdout: string; stderr: string; rc: number }> {
  sim ??= await startSim({ fleet: FLEET });
  const r = await sim.run('dom0a', 'xl', argv);
  return { stdout: r.stdout, stderr: r.stderr, rc: r.exitCode };
}

describe('xl list DOMID', () => {
  it('a domid no domain has: libxl_domain_info finds none', async () => {
    for (const argv of [['list', '99'], ['list', '-l', '99'], ['list', '099']]) {
      expect(await xl(...argv)).toEqual({ stdout: '', stderr: `Error: Domain '${argv[argv.length - 1]!}' does not exist.\n`, rc: 1 });
    }
  });

  it('a domid a domain has lists that domain, as its name does', async () => {
    const byName = await xl('list', 'tiny');
    expect(byName.stdout).toContain('\ntiny ');
    expect(await xl('list', '1')).toEqual(byName);
    expect(await xl('list', '001')).toEqual(byName);
    // strtoul's value goes into a uint32_t: 2^32 + 1 is domid 1
    expect(await xl('list', '4294967297')).toEqual(byName);
    expect(await xl('list', '-l', '1')).toEqual(await xl('list', '-l', 'tiny'));
    expect(await xl('list', '0')).toEqual(await xl('list', 'Domain-0'));
  });

  it('a name no domain has is still refused by find_domain (lab capture 02)', async () => {
    const base = 'real-xen-4.17/02-unknown-names/dom0a.xl-list-nosuch';
    expect(await xl('list', 'nosuch')).toEqual({ stdout: readFixture(`${base}.stdout`).body, stderr: readFixture(`${base}.stderr`).body, rc: 1 });
  });
});

describe('xl domid NAME and xl domname DOMID', () => {
  it('xl domid takes names only, Domain-0 among them', async () => {
    expect(await xl('domid', 'Domain-0')).toEqual({ stdout: '0\n', stderr: '', rc: 0 });
    expect(await xl('domid', 'tiny')).toEqual({ stdout: '1\n', stderr: '', rc: 0 });
    expect(await xl('domid', '1')).toEqual({ stdout: '', stderr: "Can't get domid of domain name '1', maybe this domain does not exist.\n", rc: 1 });
  });

  it('xl domname reads a domid (lab capture 02 for one that does not exist)', async () => {
    const base = 'real-xen-4.17/02-unknown-names/dom0a.xl-domname-999';
    expect(await xl('domname', '999')).toEqual({ stdout: readFixture(`${base}.stdout`).body, stderr: readFixture(`${base}.stderr`).body, rc: 1 });
    expect(await xl('domname', '1')).toEqual({ stdout: 'tiny\n', stderr: '', rc: 0 });
    expect(await xl('domname', '0')).toEqual({ stdout: 'Domain-0\n', stderr: '', rc: 0 });
    expect(await xl('domname', 'tiny')).toEqual({ stdout: '', stderr: 'Invalid domain id.\n\n', rc: 1 });
  });
});
