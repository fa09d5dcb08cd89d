import { lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../shared/fs/atomic-file.js';
import { scratch, victim } from '../agent/adapters/hostile-fs.js';

const s = scratch();
afterEach(() => s.cleanup());

describe('writeFileAtomic', () => {
  it('writes the whole text, mode 0600 whatever the umask, and leaves no temp file', () => {
    const dir = s.dir('af');
    const path = join(dir, 'x.json');
    const old = process.umask(0o000);
    try {
      expect(writeFileAtomic(path, 'hello\n')).toEqual({ ok: true, value: undefined });
    } finally {
      process.umask(old);
    }
    expect(readFileSync(path, 'utf8')).toBe('hello\n');
    expect(lstatSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['x.json']);
  });

  it('honours another mode', () => {
    const path = join(s.dir('af'), 'x');
    expect(writeFileAtomic(path, 'a', { mode: 0o640 }).ok).toBe(true);
    expect(lstatSync(path).mode & 0o777).toBe(0o640);
  });

  it('does not follow a symlink planted at its temp name', () => {
    const dir = s.dir('af');
    const v = victim(s);
    symlinkSync(v.path, join(dir, `x.json.tmp-${process.pid}`));
    expect(writeFileAtomic(join(dir, 'x.json'), 'new\n').ok).toBe(true);
    expect(v.intact()).toBe(true);
    expect(lstatSync(join(dir, 'x.json')).isFile()).toBe(true);
    expect(readdirSync(dir)).toEqual(['x.json']);
  });

  it('replaces a symlink at the target with a regular file, leaving what it pointed at intact', () => {
    const dir = s.dir('af');
    const v = victim(s);
    symlinkSync(v.path, join(dir, 'x.json'));
    expect(writeFileAtomic(join(dir, 'x.json'), 'new\n').ok).toBe(true);
    expect(v.intact()).toBe(true);
    expect(lstatSync(join(dir, 'x.json')).isFile()).toBe(true);
  });

  it('a directory at the temp name or the target: a typed failure naming the file, nothing left behind', () => {
    const dir = s.dir('af');
    mkdirSync(join(dir, `a.tmp-${process.pid}`));
    const a = writeFileAtomic(join(dir, 'a'), 'x');
    expect(a).toMatchObject({ ok: false, error: { code: 'XH_ERR_FILE' } });
    expect(!a.ok && a.error.message).toContain(join(dir, `a.tmp-${process.pid}`));
    mkdirSync(join(dir, 'b'));
    const b = writeFileAtomic(join(dir, 'b'), 'x');
    expect(b).toMatchObject({ ok: false, error: { code: 'XH_ERR_FILE' } });
    expect(readdirSync(dir).sort()).toEqual([`a.tmp-${process.pid}`, 'b']);
  });
});
