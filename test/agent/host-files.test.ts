import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hostFiles } from '../../agent/host/files.js';
import { mkfifo, runBounded, scratch } from './adapters/hostile-fs.js';

const s = scratch();
afterEach(() => s.cleanup());

describe('hostFiles().readText', () => {
  it('a FIFO as a guarded .cfg is refused at once instead of blocking the reader', async () => {
    const root = s.dir('root');
    mkdirSync(join(root, 'etc/xen/drbd-auto'), { recursive: true });
    mkfifo(join(root, 'etc/xen/drbd-auto/web1.cfg'));
    const out = await runBounded(s.dir('child'), ['host-read', root, '/etc/xen/drbd-auto/web1.cfg']);
    expect(out.timedOut).toBe(false);
    expect(JSON.parse(out.stdout)).toMatchObject({ ok: false, error: { code: 'XH_ERR_FILE', errno: 'ENOTREG', path: `/etc/xen/drbd-auto/web1.cfg (under ${root})` } });
  });

  it('configs may be symlinks to regular files (as in /etc/xen/auto)', async () => {
    const root = s.dir('root');
    mkdirSync(join(root, 'etc/xen/auto'), { recursive: true });
    writeFileSync(join(root, 'etc/xen/web1.cfg'), 'name = "web1"\n');
    symlinkSync('../web1.cfg', join(root, 'etc/xen/auto/web1.cfg'));
    expect(await hostFiles(root).readText('/etc/xen/auto/web1.cfg')).toEqual({ ok: true, value: 'name = "web1"\n' });
  });

  it('keeps its errno words: ENOENT "does not exist", EISDIR for a directory', async () => {
    const root = s.dir('root');
    mkdirSync(join(root, 'etc/xen/drbd-auto/sub'), { recursive: true });
    expect(await hostFiles(root).readText('/etc/xen/nope.cfg')).toMatchObject({ ok: false, error: { errno: 'ENOENT', message: `/etc/xen/nope.cfg (under ${root}): does not exist` } });
    expect(await hostFiles(root).readText('/etc/xen/drbd-auto/sub')).toMatchObject({ ok: false, error: { errno: 'EISDIR' } });
  });
});
