import { describe, expect, it } from 'vitest';
import { parseMigrateTab } from '../../../agent/parse/migrate-tab.js';
import { readFixture } from '../../fixture.js';

// /etc/xen/migrate-tab.txt as the xen-migrate script keeps it: domU, peer Dom0, then xm migrate options.
const FILE = '/etc/xen/migrate-tab.txt';
const read = (rel: string) => parseMigrateTab(readFixture(`migrate-tab/${rel}`).body, FILE);

describe('parseMigrateTab', () => {
  it('reads the seed example verbatim', () => {
    const r = read('seed-002-example.txt');
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.entries).toEqual([
      { domu: 'my-domu-1', peer: 'dom0-alpha', options: ['--live'], line: 5 },
      { domu: 'my-domu-2', peer: 'dom0-beta', options: ['--live'], line: 6 },
      { domu: 'my-domu-3', peer: 'dom0-alpha', options: ['--live'], line: 7 },
    ]);
    expect(r.value.byDomu.get('my-domu-2')?.peer).toBe('dom0-beta');
  });

  it('takes tabs, blank lines, trailing comments, no or several options', () => {
    const r = read('variant-tabs-comments.txt');
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.entries).toEqual([
      { domu: 'my-domu-1', peer: 'dom0-alpha', options: ['--live'], line: 3 },
      { domu: 'my-domu-2', peer: 'dom0-beta.example.org', options: ['--live', '--port=8002'], line: 4 },
      { domu: 'web.example', peer: 'dom0-alpha', options: [], line: 6 },
    ]);
  });

  it('a duplicate domU names both lines', () => {
    const r = read('broken-duplicate.txt');
    expect(r.ok ? null : r.error).toMatchObject({ code: 'XH_ERR_CONFIG', file: FILE, line: 7, column: 1, problem: 'domU my-domu-2 is listed twice (lines 6 and 7)' });
  });

  it('a line without peer names the line', () => {
    const r = read('broken-missing-peer.txt');
    expect(r.ok ? null : r.error.message).toBe(`${FILE}:3: domU my-domu-2 has no peer Dom0; write "<domU> <peer-dom0> [xm-migrate-options…]" separated by spaces`);
  });

  it('a peer that is not a host name names line and column', () => {
    const r = read('broken-bad-peer.txt');
    expect(r.ok ? null : r.error).toMatchObject({ line: 2, column: 17 });
  });

  it('an invalid domU name names the line', () => {
    const r = parseMigrateTab('ok-1 a\n-bad b\n', FILE);
    expect(r.ok ? null : r.error).toMatchObject({ line: 2, column: 1 });
  });

  it('an empty file is an empty table', () => {
    const r = parseMigrateTab('', FILE);
    expect(r.ok && r.value.entries).toEqual([]);
  });
});
