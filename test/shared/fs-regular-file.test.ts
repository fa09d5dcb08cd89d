import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readRegularFile, readRegularFileSync } from '../../shared/fs/regular-file.js';
import { mkfifo, scratch } from '../agent/adapters/hostile-fs.js';

const s = scratch();
afterEach(() => s.cleanup());

describe('readRegularFile / readRegularFileSync', () => {
  it('reads a regular file, and a symlink to one when told to follow', async () => {
    const dir = s.dir('rf');
    writeFileSync(join(dir, 'a.cfg'), 'name = "a"\n');
    symlinkSync(join(dir, 'a.cfg'), join(dir, 'link.cfg'));
    expect(readRegularFileSync(join(dir, 'a.cfg'))).toEqual({ ok: true, value: 'name = "a"\n' });
    expect(await readRegularFile(join(dir, 'link.cfg'), { symlinks: 'follow' })).toEqual({ ok: true, value: 'name = "a"\n' });
  });

  it('refuses a symlink by default (ELOOP), naming it', async () => {
    const dir = s.dir('rf');
    writeFileSync(join(dir, 'a'), 'x');
    symlinkSync(join(dir, 'a'), join(dir, 'l'));
    for (const r of [readRegularFileSync(join(dir, 'l')), await readRegularFile(join(dir, 'l'))]) {
      expect(r).toMatchObject({ ok: false, error: { code: 'XH_ERR_FILE', errno: 'ELOOP', path: join(dir, 'l') } });
      expect(!r.ok && r.error.message).toContain('symbolic link');
    }
  });

  it('where links are followed, a loop of them is named a loop, not a link refused', async () => {
    const dir = s.dir('rf');
    symlinkSync(join(dir, 'b'), join(dir, 'a'));
    symlinkSync(join(dir, 'a'), join(dir, 'b'));
    for (const r of [readRegularFileSync(join(dir, 'a'), { symlinks: 'follow' }), await readRegularFile(join(dir, 'a'), { symlinks: 'follow' })]) {
      expect(r).toMatchObject({ ok: false, error: { code: 'XH_ERR_FILE', errno: 'ELOOP', path: join(dir, 'a') } });
      expect(!r.ok && r.error.message).toMatch(/loop of symbolic links.*point it at the real file/);
      expect(!r.ok && r.error.message).not.toContain('does not follow');
    }
  });

  it('where links are followed, a link whose target is gone is named so, not just "does not exist"', async () => {
    const dir = s.dir('rf');
    // `ls` lists it, so "does not exist" sends the operator looking at the wrong name
    symlinkSync('/etc/xen/gone.cfg', join(dir, 'web1.cfg'));
    for (const r of [readRegularFileSync(join(dir, 'web1.cfg'), { symlinks: 'follow' }), await readRegularFile(join(dir, 'web1.cfg'), { symlinks: 'follow' })]) {
      expect(r).toMatchObject({ ok: false, error: { code: 'XH_ERR_FILE', errno: 'ENOENT', path: join(dir, 'web1.cfg') } });
      expect(!r.ok && r.error.message).toBe(`${join(dir, 'web1.cfg')}: is a symbolic link to "/etc/xen/gone.cfg", which does not exist: point it at the real file`);
    }
    // a plain missing file is still just missing
    const missing = readRegularFileSync(join(dir, 'none.cfg'), { symlinks: 'follow' });
    expect(!missing.ok && missing.error.message).toBe(`${join(dir, 'none.cfg')}: does not exist`);
  });

  it('refuses a FIFO at once (sync and async), even when a symlink leads to it', async () => {
    const dir = s.dir('rf');
    mkfifo(join(dir, 'f'));
    symlinkSync(join(dir, 'f'), join(dir, 'l'));
    for (const r of [readRegularFileSync(join(dir, 'f')), await readRegularFile(join(dir, 'f')), await readRegularFile(join(dir, 'l'), { symlinks: 'follow' })]) {
      expect(r).toMatchObject({ ok: false, error: { code: 'XH_ERR_FILE', errno: 'ENOTREG' } });
      expect(!r.ok && r.error.message).toContain('is a FIFO');
    }
  });

  it('missing, directory, too large: typed failures', async () => {
    const dir = s.dir('rf');
    mkdirSync(join(dir, 'd'));
    writeFileSync(join(dir, 'big'), 'x'.repeat(2000));
    expect(readRegularFileSync(join(dir, 'nope'))).toMatchObject({ ok: false, error: { errno: 'ENOENT', message: `${join(dir, 'nope')}: does not exist` } });
    expect(await readRegularFile(join(dir, 'd'))).toMatchObject({ ok: false, error: { errno: 'EISDIR' } });
    expect(readRegularFileSync(join(dir, 'big'), { maxBytes: 1000 })).toMatchObject({ ok: false, error: { errno: 'EFBIG' } });
    expect(await readRegularFile(join(dir, 'big'), { maxBytes: 1000 })).toMatchObject({ ok: false, error: { errno: 'EFBIG' } });
  });

  it('reads /proc files, whose size says 0, to the end', async () => {
    const r = await readRegularFile('/proc/self/status');
    expect(r.ok && r.value).toContain('Pid:');
    const t = readRegularFileSync('/proc/self/stat');
    expect(t.ok && t.value.length).toBeGreaterThan(10);
  });

  it('reports under the display name when one is given', () => {
    const r = readRegularFileSync('/nonexistent-xh', { display: '/etc/x (under /root)' });
    expect(r).toMatchObject({ ok: false, error: { path: '/etc/x (under /root)' } });
  });
});
