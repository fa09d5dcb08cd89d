import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';

/**
 * A lock that cannot be made says what to do about the errno: a full or read-only filesystem
 * has nothing "in the way" to remove. The failure is injected where the private file is opened.
 */
const failing = vi.hoisted(() => ({ code: '' }));
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const openSync = ((path: string, ...rest: unknown[]) => {
    if (failing.code !== '' && /\.lock\.\d+$/.test(String(path))) throw Object.assign(new Error(`${failing.code}: injected, open '${path}'`), { code: failing.code });
    return (fs.openSync as (...a: unknown[]) => number)(path, ...rest);
  }) as typeof fs.openSync;
  return { ...fs, default: { ...fs, openSync }, openSync };
});
const { takeLock } = await import('../../shared/fs/file-lock.js');

const dirs: string[] = [];
afterEach(() => {
  failing.code = '';
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
});

describe('takeLock names the fix for the errno', () => {
  it.each([
    ['ENOSPC', /free space on the filesystem holding/],
    ['EROFS', /read-only: remount it read-write/],
    ['EACCES', /must be writable by this user/],
    ['EEXIST', /remove what is in the way/],
  ])('%s', async (code, fix) => {
    const dir = mkdtempSync(join(tmpdir(), 'xh-lock-errno-'));
    dirs.push(dir);
    failing.code = code;
    const r = await takeLock(join(dir, 'ledger.json.lock'), 'the ledger');
    expect(!r.ok && [r.error.code, r.error.message]).toEqual(['XH_ERR_FILE', expect.stringMatching(fix)]);
    if (code !== 'EEXIST') expect(!r.ok && r.error.message).not.toMatch(/in the way/);
  });

  it('without a failure the lock is taken', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xh-lock-errno-'));
    dirs.push(dir);
    const r = await takeLock(join(dir, 'ledger.json.lock'), 'the ledger');
    expect(r.ok).toBe(true);
    if (r.ok) r.value.release();
  });
});
