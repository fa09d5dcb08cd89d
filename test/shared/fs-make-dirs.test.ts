import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeDirs } from '../../shared/fs/make-dirs.js';
import { ensurePrivateDir } from '../../shared/fs/private-dir.js';
import { scratch } from '../agent/adapters/hostile-fs.js';

const s = scratch();
afterEach(() => s.cleanup());
const scratchDir = (): string => s.dir('make-dirs');

describe('makeDirs', () => {
  it('makes every missing level with the mode asked, and leaves an existing one alone', () => {
    const d = scratchDir();
    makeDirs(join(d, 'a', 'b', 'c'), 0o700);
    for (const p of ['a', 'a/b', 'a/b/c']) expect(statSync(join(d, p)).mode & 0o777, p).toBe(0o700);
    makeDirs(join(d, 'a', 'b'), 0o700);
    expect(statSync(join(d, 'a', 'b')).isDirectory()).toBe(true);
  });

  it('a level the kernel will not make (under /proc) is an error at once, not a loop', () => {
    // Node's own recursive mkdirSync never returns here
    expect(() => makeDirs('/proc/xenherd-no-such/dir', 0o700)).toThrow(/ENOENT/);
  });

  it('a file in the way is an error', () => {
    const d = scratchDir();
    writeFileSync(join(d, 'f'), '');
    expect(() => makeDirs(join(d, 'f', 'sub'), 0o700)).toThrow(/ENOTDIR/);
  });

  it('ensurePrivateDir under /proc fails with the path and the reason', () => {
    const r = ensurePrivateDir('/proc/xenherd-no-such/state', { create: true });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/\/proc\/xenherd-no-such\/state.*cannot be created.*ENOENT/);
  });
});
