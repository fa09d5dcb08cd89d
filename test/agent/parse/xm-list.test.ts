import { describe, expect, it } from 'vitest';
import { DomainSchema, type InventoryDomain } from '../../../shared/inventory.js';
import { parseXmList } from '../../../agent/parse/xm-list.js';
import { readFixture } from '../../fixture.js';

const dom = (name: string, domid: number | null, memMiB: number, vcpus: number, stateLetters: string, state: InventoryDomain['state'], cpuTimeS: number, extra: Partial<InventoryDomain> = {}): InventoryDomain => ({
  name, baseName: name, migration: null, domid, memMiB, vcpus, stateLetters, state, shutdownReason: null, cpuTimeS, ...extra,
});

const parse = (fixture: string): InventoryDomain[] => {
  const r = parseXmList(readFixture(fixture).body);
  if (!r.ok) throw new Error(r.error.message);
  for (const d of r.value) DomainSchema.parse(d);
  return r.value;
};

describe('parseXmList', () => {
  it('real capture: many domains', () => {
    const rows = parse('xm/list-many-domains.txt');
    expect(rows).toEqual([
      dom('Domain-0', 0, 1852, 8, 'r-----', 'running', 348510.6),
      dom('vm16', 121, 2048, 8, '-b----', 'blocked', 2552.8),
      dom('vm24', 122, 2048, 8, '-b----', 'blocked', 2523.5),
      dom('vm32', 123, 2048, 8, '-b----', 'blocked', 2594.8),
      dom('vm40', 124, 2048, 8, '-b----', 'blocked', 66280.0),
      dom('vm48', 125, 2048, 8, '-b----', 'blocked', 60234.0),
      dom('vm56', 126, 2048, 8, '-b----', 'blocked', 72054.2),
      dom('vm8', 120, 2048, 8, '-b----', 'blocked', 2661.7),
    ]);
  });
  it('real capture: Xen4CentOS with the deprecation warning first', () => {
    expect(parse('xm/list-4.4-centos-deprecated.txt')).toEqual([dom('Domain-0', 0, 1024, 4, 'r-----', 'running', 11.6)]);
  });
  it('managed but stopped domains have no ID and no state', () => {
    expect(parse('xm/list-gen-stopped-managed.txt')).toEqual([
      dom('Domain-0', 0, 3543, 2, 'r-----', 'running', 1301.4),
      dom('web1', 12, 1024, 2, '-b----', 'blocked', 543.2),
      dom('mail1', null, 512, 1, '', 'stopped', 0.0),
      dom('backup-target-with-a-rather-long-domain-name', null, 2048, 2, '', 'stopped', 0.0),
    ]);
  });
  it('managed but stopped domains with the State column filled (------) and no ID', () => {
    expect(parse('xm/list-gen-stopped-state-dashes.txt')).toEqual([
      dom('Domain-0', 0, 3543, 2, 'r-----', 'running', 1301.4),
      dom('web1', 12, 1024, 2, '-b----', 'blocked', 543.2),
      dom('mail1', null, 512, 1, '------', 'stopped', 0.0),
      dom('backup-target-with-a-rather-long-domain-name', null, 2048, 2, '------', 'stopped', 0.0),
      dom('2048', null, 256, 1, '------', 'stopped', 0.0),
    ]);
  });
  it('xm over Xen-API: a halted managed VM has ID -1 and State ------', () => {
    expect(parse('xm/list-gen-xenapi-halted.txt')).toEqual([
      dom('Domain-0', 0, 1852, 8, 'r-----', 'running', 348510.6),
      dom('web1', 3, 1024, 2, '-b----', 'blocked', 52.1),
      dom('mail1', null, 512, 1, '------', 'stopped', 0.0),
    ]);
  });
  it('real capture: CentOS 5 xen-3.0.3 header "ID Mem(MiB)"', () => {
    expect(parse('xm/list-3.0.3-centos5-mem-mib.txt')).toEqual([
      dom('Domain-0', 0, 739, 2, 'r-----', 'running', 136.7),
      dom('prospero', 1, 255, 1, '-b----', 'blocked', 116.1),
    ]);
  });
  it('a domain without a domid is stopped whatever flags linger (xend of Nov 2006 sent stale ones)', () => {
    const H = 'Name                                        ID   Mem VCPUs      State   Time(s)\n';
    const r = parseXmList(`${H}shut1                                       -1   512     1     ---s--      3.0\n`);
    expect(r.ok && r.value).toEqual([dom('shut1', null, 512, 1, '---s--', 'stopped', 3.0)]);
  });
  it('xend state flags: paused, shutdown, crashed, dying, migration name', () => {
    expect(parse('xm/list-gen-states.txt')).toEqual([
      dom('Domain-0', 0, 1852, 8, 'r-----', 'running', 348510.6),
      dom('paused1', 3, 512, 1, '--p---', 'paused', 2.0),
      dom('shut1', 4, 512, 1, '---s--', 'shutdown', 3.0),
      dom('crashed1', 5, 512, 1, '----c-', 'crashed', 4.0, { shutdownReason: 'crash' }),
      dom('dying1', 6, 512, 1, '-----d', 'dying', 5.0),
      dom('web1--incoming', 7, 1024, 1, '--p---', 'paused', 0.0, { baseName: 'web1', migration: 'incoming' }),
    ]);
  });

  it('xend renames the domain it sends away to migrating-NAME: that is NAME leaving this host', () => {
    const H = 'Name                                        ID   Mem VCPUs      State   Time(s)\n';
    const r = parseXmList(`${H}Domain-0                                     0  1852     8     r-----  48510.6\nmigrating-web1                               7  1024     2     -b----     88.2\nmigrating-                                   8   512     1     -b----      1.0\n`);
    expect(r.ok ? r.value.slice(1).map((d) => [d.name, d.baseName, d.migration]) : r.error.message).toEqual([
      ['migrating-web1', 'web1', 'migratedaway'],
      // the prefix alone is a name like any other
      ['migrating-', 'migrating-', null],
    ]);
  });
  it('real capture: Oracle VM on Exadata, 5-digit Mem, a CPU time wider than its column, paused guests', () => {
    const rows = parse('xm/list-oracle-vm-exadata-wide.txt');
    expect(rows).toHaveLength(5);
    expect(rows[0]).toEqual(dom('Domain-0', 0, 8792, 4, 'r-----', 'running', 14341347.0));
    expect(rows[1]).toEqual(dom('scaqab10adm01vm02.us.oracle.com', 40, 92163, 10, '-b----', 'blocked', 877940.6));
    expect(rows[4]).toEqual(dom('scaqab10adm01vm06.us.oracle.com', 60, 92163, 10, '--p---', 'paused', 37.8));
  });
});

describe('parseXmList: Xen 3.0.x xend', () => {
  it("3.0.2 with an ACM policy: the ssidref after the CPU time is left out; xend's Zombie-NAME is NAME dying", () => {
    expect(parse('xm/list-gen-3.0.2-acm-zombie.txt')).toEqual([
      dom('Domain-0', 0, 498, 1, 'r-----', 'running', 2187.9),
      dom('web1', 3, 256, 1, '-b----', 'blocked', 10.3),
      // dying whatever flags are left: xend renamed it only after destroying it
      dom('Zombie-db1', 4, 256, 1, '----cd', 'dying', 7.0, { baseName: 'db1' }),
      dom('mail1', 5, 512, 1, '-b----', 'blocked', 1.5),
    ]);
  });
  it('Zombie- alone is a name like any other, and the ssidref is only read after the CPU time', () => {
    const H = 'Name                              ID Mem(MiB) VCPUs State  Time(s)\n';
    const r = parseXmList(`${H}Zombie-                            4      256     1 -b----     7.0\n`);
    expect(r.ok ? r.value.map((d) => [d.name, d.baseName, d.state]) : r.error.message).toEqual([['Zombie-', 'Zombie-', 'blocked']]);
    const bad = parseXmList(`${H}web1                               3      256     1 -b---- s:0001/p:0002\n`);
    expect(bad.ok).toBe(false);
  });
});

describe('parseXmList: malformed and truncated input', () => {
  const H = 'Name                                        ID   Mem VCPUs      State   Time(s)\n';
  const bad = (text: string, line: number, expected: RegExp): void => {
    const r = parseXmList(text);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error).toMatchObject({ code: 'XH_ERR_TOOL_OUTPUT', tool: 'xm', line });
      expect(r.error.expected).toMatch(expected);
    }
  };
  it('empty', () => bad('', 0, /header/));
  it('only the warning', () => bad('WARNING: xend/xm is deprecated.\n', 0, /header/));
  it('xm list -l SXP', () => bad('(domain\n    (domid 0)\n', 1, /header/));
  it('truncated row', () => bad(`${H}Domain-0                                     0  1024     4     r---`, 2, /CPU time|domain row/));
  it('xl-only reason letter is not an xm state', () => bad(`${H}web1                                         3   512     1     ---sr-      1.0\n`, 2, /state letters/));
  it('a non-numeric ID is not read as part of the name', () => bad(`${H}web1                                        x3   512     1     -b----      1.0\n`, 2, /name|numeric/));
  it('an ID below -1 is refused', () => bad(`${H}web1                                        -2   512     1     -b----      1.0\n`, 2, /name|numeric/));
  it('a stopped row without mem', () => bad(`${H}mail1                                                  1                 0.0\n`, 2, /numeric|domain row/));
});
