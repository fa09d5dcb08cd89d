import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statfsSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { readStateDirs, WRITE_TEST_FILE } from '../../../agent/adapters/state-disk.js';
import { standInFileOf, STATE_DISK_STAND_IN_ENV } from '../../../agent/adapters/state-disk-stand-in.js';

// The real statfs and test write on a temp dir: the numbers df shows, and nothing left behind.
const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'xh-state-disk-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
};

describe('reading the state dirs', () => {
  it('gives df\'s Avail and Size, no failure, and leaves no test file behind', async () => {
    const dir = tempDir();
    const [d] = await readStateDirs([{ role: 'state', dir: '/var/lib/xenherd', real: dir }], '2025-01-01T00:00:00.000Z');
    const st = statfsSync(dir);
    expect(d).toMatchObject({ role: 'state', dir: '/var/lib/xenherd', totalBytes: st.blocks * st.bsize, failure: null, readAt: '2025-01-01T00:00:00.000Z' });
    expect(d?.freeBytes).toBeGreaterThan(0);
    expect(readdirSync(dir)).toEqual([]);
    expect(existsSync(join(dir, WRITE_TEST_FILE))).toBe(false);
  });

  it('a dir that is gone: no numbers made up, and no failure of the filesystem (its records\' own reads say so)', async () => {
    const dir = join(tempDir(), 'gone');
    const [d] = await readStateDirs([{ role: 'runtime', dir: '/run/xenherd', real: dir }], '2025-01-01T00:00:00.000Z');
    expect(d).toMatchObject({ freeBytes: null, totalBytes: null, failure: null });
  });

  it('a symlink or a file left where the test file goes is removed, never written through', async () => {
    const dir = tempDir();
    const target = join(tempDir(), 'precious');
    writeFileSync(target, 'keep me\n');
    symlinkSync(target, join(dir, WRITE_TEST_FILE));
    const [d] = await readStateDirs([{ role: 'state', dir: '/var/lib/xenherd', real: dir }], '2025-01-01T00:00:00.000Z');
    expect(d?.failure).toBe(null);
    expect(readFileSync(target, 'utf8')).toBe('keep me\n');
    expect(readdirSync(dir)).toEqual([]);
  });

  // the fleet simulator's answer for a simulated Dom0 (test/sim/sim.ts `env`), read strictly
  it('a stand-in file: its answers while it exists, the real dir once it is gone, and one that is not valid refused naming it and the key', async () => {
    const dir = tempDir();
    const file = join(tempDir(), 'xen1.json');
    const dirs = [{ role: 'state' as const, dir: '/var/lib/xenherd', real: dir }];
    expect((await readStateDirs(dirs, '2025-01-01T00:00:00.000Z', file))[0]?.totalBytes).toBe(statfsSync(dir).blocks * statfsSync(dir).bsize);
    writeFileSync(file, '{"freeBytes": 0, "totalBytes": 1024, "writeErrno": "EROFS"}');
    expect(await readStateDirs(dirs, '2025-01-01T00:00:00.000Z', file)).toEqual([{ role: 'state', dir: '/var/lib/xenherd', freeBytes: 0, totalBytes: 1024, readAt: '2025-01-01T00:00:00.000Z', failure: { code: 'EROFS', at: '2025-01-01T00:00:00.000Z', what: 'a test write' } }]);
    writeFileSync(file, '{"freeBytes": -1, "totalBytes": 1024, "writeErrno": null}');
    await expect(readStateDirs(dirs, '2025-01-01T00:00:00.000Z', file)).rejects.toThrow(`${file} (XENHERD_SIM_STATE_DISK): key "freeBytes": `);
    writeFileSync(file, '{"freeBytes": 0, "totalBytes": 1024, "writeErrno": "EIO"}');
    await expect(readStateDirs(dirs, '2025-01-01T00:00:00.000Z', file)).rejects.toThrow(/key "writeErrno"/);
    writeFileSync(file, '{"freeBytes": 0,');
    await expect(readStateDirs(dirs, '2025-01-01T00:00:00.000Z', file)).rejects.toThrow(/not valid JSON/);
  });

  it('the stand-in is taken only under a simulated host root: on a Dom0 a stray variable changes nothing', () => {
    expect(standInFileOf({ [STATE_DISK_STAND_IN_ENV]: '/tmp/x.json' }, '/tmp/sim/hosts/xen1')).toBe('/tmp/x.json');
    expect(standInFileOf({ [STATE_DISK_STAND_IN_ENV]: '/tmp/x.json' }, '/')).toBe(null);
    expect(standInFileOf({}, '/tmp/sim/hosts/xen1')).toBe(null);
  });
});
