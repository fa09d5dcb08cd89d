import { chmodSync, chownSync, lstatSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { describeRepair, ensurePrivateDir, openStateDir } from '../../shared/fs/private-dir.js';
import { mkfifo, scratch } from '../agent/adapters/hostile-fs.js';

const s = scratch();
afterEach(() => s.cleanup());
const mode = (p: string): number => lstatSync(p).mode & 0o7777;

describe('openStateDir', () => {
  it('creates a missing state dir owner-only and says so', () => {
    const dir = join(s.dir('sd'), 'var', 'lib', 'xenherd');
    const r = openStateDir(dir);
    expect(r.ok).toBe(true);
    expect(mode(dir)).toBe(0o700);
    if (r.ok) expect(r.value.repairs).toEqual([{ kind: 'created', path: dir }]);
  });

  it('accepts an owner-only dir as it is', () => {
    const dir = join(s.dir('sd'), 'xenherd');
    mkdirSync(dir, { mode: 0o700 });
    expect(openStateDir(dir)).toEqual({ ok: true, value: { path: dir, repairs: [] } });
  });

  it('repairs a 0755 dir (readable, not writable, by others) to 0700 and reports it for the log', () => {
    const dir = join(s.dir('sd'), 'xenherd');
    mkdirSync(dir);
    chmodSync(dir, 0o755);
    const r = openStateDir(dir);
    expect(r.ok).toBe(true);
    expect(mode(dir)).toBe(0o700);
    if (!r.ok) return;
    expect(r.value.repairs).toEqual([{ kind: 'mode-tightened', path: dir, from: 0o755, to: 0o700 }]);
    expect(describeRepair(r.value.repairs[0]!)).toContain('0755');
  });

  it.each([0o777, 0o775, 0o1777, 0o757])('refuses a dir writable by others (mode %o) and leaves it as it is', (m) => {
    const dir = join(s.dir('sd'), 'xenherd');
    mkdirSync(dir);
    chmodSync(dir, m);
    const r = openStateDir(dir);
    expect(r).toMatchObject({ ok: false, error: { code: 'XH_ERR_FILE', problem: 'writable-by-others' } });
    expect(mode(dir)).toBe(m);
    if (!r.ok) {
      expect(r.error.message).toContain(dir);
      expect(r.error.message).toContain(`chmod 700 ${dir}`);
    }
  });

  it('refuses a dir owned by another user', () => {
    const dir = join(s.dir('sd'), 'xenherd');
    mkdirSync(dir, { mode: 0o700 });
    chownSync(dir, 65534, 65534);
    const r = openStateDir(dir);
    expect(r).toMatchObject({ ok: false, error: { code: 'XH_ERR_FILE', problem: 'wrong-owner' } });
    expect(!r.ok && r.error.message).toContain('chown');
  });

  it('refuses a symlink, a regular file and a FIFO in its place', () => {
    const base = s.dir('sd');
    const real = join(base, 'real');
    mkdirSync(real, { mode: 0o700 });
    symlinkSync(real, join(base, 'link'));
    writeFileSync(join(base, 'file'), 'x');
    mkfifo(join(base, 'fifo'));
    expect(openStateDir(join(base, 'fifo'))).toMatchObject({ ok: false, error: { problem: 'not-a-directory' } });
    expect(openStateDir(join(base, 'link'))).toMatchObject({ ok: false, error: { problem: 'symlink' } });
    expect(openStateDir(join(base, 'file'))).toMatchObject({ ok: false, error: { problem: 'not-a-directory' } });
  });

  it('refuses a state dir under a parent any user can write to (without the sticky bit)', () => {
    const base = s.dir('sd');
    const parent = join(base, 'lib');
    mkdirSync(parent);
    chmodSync(parent, 0o777);
    const r = openStateDir(join(parent, 'xenherd'));
    expect(r).toMatchObject({ ok: false, error: { problem: 'unsafe-parent' } });
    expect(!r.ok && r.error.message).toContain(parent);
    chmodSync(parent, 0o1777);
    expect(openStateDir(join(parent, 'xenherd')).ok).toBe(true);
  });
});

describe('ensurePrivateDir', () => {
  it('with repair off, accepts a 0755 dir unchanged (it is only readable by others)', () => {
    const dir = join(s.dir('sd'), 'starting');
    mkdirSync(dir);
    chmodSync(dir, 0o755);
    expect(ensurePrivateDir(dir, { repair: false })).toEqual({ ok: true, value: { path: dir, repairs: [] } });
    expect(mode(dir)).toBe(0o755);
  });

  it('with create off, a missing dir is an error', () => {
    const dir = join(s.dir('sd'), 'nope');
    expect(ensurePrivateDir(dir, { create: false })).toMatchObject({ ok: false, error: { problem: 'missing' } });
  });
});
