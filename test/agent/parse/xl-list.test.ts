import { describe, expect, it } from 'vitest';
import { DomainSchema, type InventoryDomain } from '../../../shared/inventory.js';
import { parseXlList } from '../../../agent/parse/xl-list.js';
import { readFixture } from '../../fixture.js';

const dom = (name: string, domid: number, memMiB: number, vcpus: number, stateLetters: string, state: InventoryDomain['state'], cpuTimeS: number, extra: Partial<InventoryDomain> = {}): InventoryDomain => ({
  name,
  baseName: name,
  migration: null,
  domid,
  memMiB,
  vcpus,
  stateLetters,
  state,
  shutdownReason: null,
  cpuTimeS,
  ...extra,
});

const parse = (fixture: string): InventoryDomain[] => {
  const r = parseXlList(readFixture(fixture).body);
  if (!r.ok) throw new Error(r.error.message);
  for (const d of r.value) DomainSchema.parse(d);
  return r.value;
};

describe('parseXlList: real captures', () => {
  it('Xen 4.9, three domains, TAB header', () => {
    expect(parse('xl/list-4.9-three-domains.txt')).toEqual([
      dom('Domain-0', 0, 13036, 8, 'r-----', 'running', 398.7),
      dom('guest-01', 1, 1024, 2, '-b----', 'blocked', 6.0),
      dom('Avignon-02', 5, 1024, 2, '-b----', 'blocked', 0.5),
    ]);
  });
  it('Xen 4.9, paused guest', () => {
    expect(parse('xl/list-4.9-paused.txt')).toEqual([
      dom('Domain-0', 0, 13984, 4, 'r-----', 'running', 56475.2),
      dom('guest1', 28, 1024, 1, '--p---', 'paused', 28.0),
    ]);
  });
  it('Xen 4.17, Domain-0 only, TABs expanded to spaces', () => {
    expect(parse('xl/list-4.17-dom0-only.txt')).toEqual([dom('Domain-0', 0, 7872, 4, 'r-----', 'running', 398.2)]);
    expect(parse('xl/list-4.17-arm64-dom0.txt')).toEqual([dom('Domain-0', 0, 1500, 1, 'r-----', 'running', 123.5)]);
  });
});

describe('parseXlList: generated from the xl_info.c format', () => {
  it('every state letter and shutdown reason', () => {
    const rows = parse('xl/list-4.17-gen-every-state.txt');
    expect(rows.map((d) => [d.name, d.stateLetters, d.state, d.shutdownReason])).toEqual([
      ['Domain-0', 'r-----', 'running', null],
      ['run1', 'r-----', 'running', null],
      ['blocked1', '-b----', 'blocked', null],
      ['paused1', '--p---', 'paused', null],
      ['off1', '---s--', 'shutdown', 'poweroff'],
      ['reboot1', '---sr-', 'shutdown', 'reboot'],
      ['suspended1', '---ss-', 'shutdown', 'suspend'],
      ['crashed1', '---sc-', 'crashed', 'crash'],
      ['watchdog1', '---sw-', 'shutdown', 'watchdog'],
      ['softreset1', '---sS-', 'shutdown', 'soft_reset'],
      ['oddreason1', '---s?-', 'shutdown', null],
      ['(null)', '--pscd', 'dying', 'crash'],
      ['idle1', '------', 'idle', null],
      ['paused-blocked', '-bp---', 'paused', null],
    ]);
    expect(rows[11]).toEqual({ ...dom('(null)', 11, 0, 1, '--pscd', 'dying', 17.7), baseName: null, shutdownReason: 'crash' });
    expect(rows[5]).toEqual({ ...dom('reboot1', 5, 512, 1, '---sr-', 'shutdown', 11.1), shutdownReason: 'reboot' });
  });
  it('names of 40, 41 and 64 characters push the columns right', () => {
    expect(parse('xl/list-4.17-gen-long-names.txt')).toEqual([
      dom('Domain-0', 0, 2048, 2, 'r-----', 'running', 5.0),
      dom('a'.repeat(40), 3, 1024, 1, '-b----', 'blocked', 1.5),
      dom('b'.repeat(41), 4, 1024, 1, '-b----', 'blocked', 2.5),
      dom('customer-0042.web.frontend.eu-west.example.org-blue-green-prod', 123, 65536, 16, 'r-----', 'running', 1234567.8),
    ]);
  });
  it('NAME--incoming on the target', () => {
    expect(parse('xl/list-4.17-gen-incoming.txt')).toEqual([
      dom('Domain-0', 0, 4096, 4, 'r-----', 'running', 911.0),
      { ...dom('web1--incoming', 17, 1024, 2, '--p---', 'paused', 0.0), baseName: 'web1', migration: 'incoming' },
    ]);
  });
  it('NAME--migratedaway on the source', () => {
    expect(parse('xl/list-4.17-gen-migratedaway.txt')).toEqual([
      dom('Domain-0', 0, 4096, 4, 'r-----', 'running', 1502.3),
      { ...dom('web1--migratedaway', 9, 1024, 2, '---ss-', 'shutdown', 3321.7), baseName: 'web1', migration: 'migratedaway', shutdownReason: 'suspend' },
      dom('db1', 10, 4096, 4, '-b----', 'blocked', 77.1),
    ]);
  });
  it('xl list NAME: header and one row', () => {
    expect(parse('xl/list-4.17-gen-single.txt')).toEqual([dom('web1', 9, 1024, 2, '-b----', 'blocked', 3321.7)]);
  });
  it('many domains', () => {
    const rows = parse('xl/list-4.17-gen-many.txt');
    expect(rows).toHaveLength(61);
    expect(rows[0]).toEqual(dom('Domain-0', 0, 8192, 8, 'r-----', 'running', 99999.9));
    expect(rows[5]).toEqual(dom('guest05', 5, 1024, 3, 'r-----', 'running', 186.5));
    expect(rows[60]).toEqual(dom('guest60', 60, 512, 1, 'r-----', 'running', 2238.0));
  });
});

describe('parseXlList: malformed and truncated input', () => {
  const H = 'Name                                        ID   Mem VCPUs\tState\tTime(s)\n';
  const bad = (text: string, line: number, expected: RegExp): void => {
    const r = parseXlList(text);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('XH_ERR_TOOL_OUTPUT');
    expect(r.error.tool).toBe('xl');
    expect(r.error.line).toBe(line);
    expect(r.error.expected).toMatch(expected);
  };
  it('empty output', () => bad('', 0, /header/));
  it('no header', () => bad('Domain-0    0  2048     4     r-----     1.0\n', 1, /header/));
  it('xl list -v header is refused with a hint', () => bad('Name                                        ID   Mem VCPUs\tState\tTime(s)   UUID                            Reason-Code\tSecurity Label\n', 1, /without -v/));
  it('row cut in the time column', () => bad(`${H}Domain-0                                     0  2048     4     r-----     12`, 2, /six state letters|CPU time/));
  it('row cut after the state', () => bad(`${H}web1                                         3  1024     1     -b----`, 2, /CPU time/));
  it('row cut in the name', () => bad(`${H}web`, 2, /domain row/));
  it('bad state letters', () => bad(`${H}web1                                         3  1024     1     -x----       1.0\n`, 2, /state letters/));
  it('non-numeric id', () => bad(`${H}web1                                         x  1024     1     -b----       1.0\n`, 2, /numeric/));
  it('missing name', () => bad(`${H}    3  1024     1     -b----       1.0\n`, 2, /domain name/));
  it('third line of three is bad', () => bad(`${H}Domain-0                                     0  2048     4     r-----     1.0\ngarbage\n`, 3, /domain row/));
  it('header only is an empty list', () => expect(parseXlList(H)).toEqual({ ok: true, value: [] }));
  it('CRLF line ends are tolerated', () => {
    const r = parseXlList(H.replace('\n', '\r\n') + 'Domain-0                                     0  2048     4     r-----     1.0\r\n');
    expect(r.ok && r.value[0]?.cpuTimeS).toBe(1.0);
  });
});
