import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, unlinkSync, utimesSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HostFileCache } from '../../../agent/host/file-cache.js';
import { hostFiles, type FileStamp, type HostFiles, type TextParse } from '../../../agent/host/files.js';
import { readParsed } from '../../../agent/host/parsed-read.js';
import { err, ok, type Result } from '../../../shared/result.js';
import type { FileFailure } from '../../../shared/fs/regular-file.js';
import { mkfifo } from '../adapters/hostile-fs.js';

// What the full re-reads keep between them: an unchanged file is neither read nor parsed again,
// anything else is read again with every check of the files' own reader.

/** host files that count their reads (sync and async alike) */
function counted(files: HostFiles): { files: HostFiles; reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    files: {
      ...files,
      readText: (p) => (reads.push(p), files.readText(p)),
      ...(files.readTextSync ? { readTextSync: (p: string) => (reads.push(p), files.readTextSync!(p)) } : {}),
    },
  };
}

/** a parse that counts its calls */
function countedParse(): { how: TextParse<string>; calls: () => number } {
  let n = 0;
  return { how: { key: 'upper', parse: (t) => (n++, t.toUpperCase()) }, calls: () => n };
}

const LATER = 60_000; // the next full read: a minute on

let roots: string[] = [];
afterEach(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
  roots = [];
});
function root(): string {
  const r = mkdtempSync(join(tmpdir(), 'xenherd-file-cache-'));
  roots.push(r);
  mkdirSync(join(r, 'etc/xen'), { recursive: true });
  return r;
}
/** the file's ctime, as the clock a settled stamp needs to be after */
const changedAt = (path: string): number => Math.max(statSync(path).ctimeMs, statSync(path).mtimeMs);

describe('HostFileCache on real files', () => {
  it('an unchanged file is not read or parsed again at the next full read', async () => {
    const r = root();
    const path = join(r, 'etc/xen/web1.cfg');
    writeFileSync(path, 'name = "web1"\n');
    const { files, reads } = counted(hostFiles(r));
    const p = countedParse();
    const cache = new HostFileCache();
    const t0 = changedAt(path) + LATER;
    expect(await readParsed(cache.session(files, t0), '/etc/xen/web1.cfg', p.how)).toEqual(ok('NAME = "WEB1"\n'));
    expect(await readParsed(cache.session(files, t0 + LATER), '/etc/xen/web1.cfg', p.how)).toEqual(ok('NAME = "WEB1"\n'));
    expect(await cache.session(files, t0 + 2 * LATER).readText('/etc/xen/web1.cfg')).toEqual(ok('name = "web1"\n'));
    expect(reads).toEqual(['/etc/xen/web1.cfg']);
    expect(p.calls()).toBe(1);
  });

  it('within one full read each file is read and each parse done once, whoever asks', async () => {
    const r = root();
    writeFileSync(join(r, 'etc/xen/web1.cfg'), 'name = "web1"\n');
    const { files, reads } = counted(hostFiles(r));
    const p = countedParse();
    const s = new HostFileCache().session(files, Date.now());
    const all = await Promise.all([readParsed(s, '/etc/xen/web1.cfg', p.how), readParsed(s, '/etc/xen/web1.cfg', p.how), s.readText('/etc/xen/web1.cfg')]);
    expect(all).toEqual([ok('NAME = "WEB1"\n'), ok('NAME = "WEB1"\n'), ok('name = "web1"\n')]);
    expect(reads).toHaveLength(1);
    expect(p.calls()).toBe(1);
  });

  it('a file changed within the same second, with the same size and mtime, is read again', async () => {
    const r = root();
    const path = join(r, 'etc/xen/web1.cfg');
    writeFileSync(path, 'memory = 512\n');
    const { mtime } = statSync(path);
    const { files, reads } = counted(hostFiles(r));
    const cache = new HostFileCache();
    // read right after it was written, as on a busy host: the stamp is not settled yet
    const now = Date.now();
    expect(await cache.session(files, now).readText('/etc/xen/web1.cfg')).toEqual(ok('memory = 512\n'));
    writeFileSync(path, 'memory = 768\n');
    utimesSync(path, mtime, mtime);
    expect(await cache.session(files, now + 500).readText('/etc/xen/web1.cfg')).toEqual(ok('memory = 768\n'));
    expect(reads).toHaveLength(2);
  });

  it('a file replaced by a rename (an editor saving) is read again though its stamp was settled', async () => {
    const r = root();
    const path = join(r, 'etc/xen/web1.cfg');
    writeFileSync(path, 'memory = 512\n');
    const { mtime } = statSync(path);
    const { files } = counted(hostFiles(r));
    const cache = new HostFileCache();
    const t0 = changedAt(path) + LATER;
    await cache.session(files, t0).readText('/etc/xen/web1.cfg');
    writeFileSync(`${path}.tmp`, 'memory = 768\n');
    utimesSync(`${path}.tmp`, mtime, mtime);
    renameSync(`${path}.tmp`, path);
    expect(await cache.session(files, t0 + LATER).readText('/etc/xen/web1.cfg')).toEqual(ok('memory = 768\n'));
  });

  it('a symlink pointed at another file is read again', async () => {
    const r = root();
    writeFileSync(join(r, 'etc/xen/a.cfg'), 'name = "a"\n');
    writeFileSync(join(r, 'etc/xen/b.cfg'), 'name = "b"\n');
    const link = join(r, 'etc/xen/web1.cfg');
    symlinkSync('a.cfg', link);
    const cache = new HostFileCache();
    const files = hostFiles(r);
    const t0 = Math.max(changedAt(join(r, 'etc/xen/a.cfg')), changedAt(join(r, 'etc/xen/b.cfg'))) + LATER;
    expect(await cache.session(files, t0).readText('/etc/xen/web1.cfg')).toEqual(ok('name = "a"\n'));
    unlinkSync(link);
    symlinkSync('b.cfg', link);
    expect(await cache.session(files, t0 + LATER).readText('/etc/xen/web1.cfg')).toEqual(ok('name = "b"\n'));
  });

  /** web1.cfg written, read once through a cache, its stamp trusted: what a later read sees next */
  async function cachedWeb1(): Promise<{ r: string; path: string; next: () => ReturnType<ReturnType<HostFileCache['session']>['readText']> }> {
    const r = root();
    const path = join(r, 'etc/xen/web1.cfg');
    writeFileSync(path, 'name = "web1"\n');
    const cache = new HostFileCache();
    const files = hostFiles(r);
    const t0 = changedAt(path) + LATER;
    await cache.session(files, t0).readText('/etc/xen/web1.cfg');
    return { r, path, next: () => cache.session(files, t0 + LATER).readText('/etc/xen/web1.cfg') };
  }

  it('a deleted file is gone at the next read, with the reader\'s own failure', async () => {
    const { r, path, next } = await cachedWeb1();
    unlinkSync(path);
    expect(await next()).toMatchObject({ ok: false, error: { errno: 'ENOENT', message: `/etc/xen/web1.cfg (under ${r}): does not exist` } });
  });

  it('a config swapped for a FIFO is refused as before, not served from the cache', async () => {
    const { path, next } = await cachedWeb1();
    unlinkSync(path);
    mkfifo(path);
    expect(await next()).toMatchObject({ ok: false, error: { errno: 'ENOTREG' } });
  });
});

/** host files whose stamps and texts a test sets */
function fake(): { files: HostFiles; set: (path: string, text: string | null, stamp: FileStamp | null) => void; reads: string[] } {
  const texts = new Map<string, string | null>();
  const stamps = new Map<string, FileStamp | null>();
  const reads: string[] = [];
  const read = (p: string): Result<string, FileFailure> => {
    reads.push(p);
    const t = texts.get(p);
    return typeof t === 'string' ? ok(t) : err({ code: 'XH_ERR_FILE', path: p, errno: 'ENOENT', message: `${p}: does not exist` });
  };
  return {
    reads,
    set: (p, text, stamp) => {
      texts.set(p, text);
      stamps.set(p, stamp);
    },
    files: { display: (p) => p, access: () => ({ mode: 0o100644, uid: 0 }), list: async () => ok([]), readText: async (p) => read(p), stamp: (p) => stamps.get(p) ?? null },
  };
}

describe('HostFileCache: what makes a file read again', () => {
  const base: FileStamp = { dev: 1, ino: 10, size: 6, mtimeMs: 1_000, ctimeMs: 1_000 };
  const settled = 1_000 + LATER;

  it('any field of the stamp changed (a change within the same mtime shows in ctime or size)', async () => {
    for (const k of ['dev', 'ino', 'size', 'mtimeMs', 'ctimeMs'] as const) {
      const f = fake();
      const cache = new HostFileCache();
      f.set('/f', 'first\n', base);
      await cache.session(f.files, settled).readText('/f');
      f.set('/f', 'other\n', { ...base, [k]: base[k] + 1 });
      expect(await cache.session(f.files, settled + LATER).readText('/f')).toEqual(ok('other\n'));
      expect(f.reads).toHaveLength(2);
    }
  });

  it('a stamp not settled when taken is never trusted, even when the next stamp is the same', async () => {
    const f = fake();
    const cache = new HostFileCache();
    f.set('/f', 'first\n', base);
    await cache.session(f.files, base.ctimeMs + 1).readText('/f');
    // rewritten in the same tick: same stamp, other text
    f.set('/f', 'other\n', base);
    expect(await cache.session(f.files, settled + LATER).readText('/f')).toEqual(ok('other\n'));
    // read again long after its change: now trusted
    expect(await cache.session(f.files, settled + 2 * LATER).readText('/f')).toEqual(ok('other\n'));
    expect(f.reads).toHaveLength(2);
  });

  it('a file read again with the same text keeps its parse', async () => {
    const f = fake();
    const p = countedParse();
    const cache = new HostFileCache();
    f.set('/f', 'first\n', base);
    await readParsed(cache.session(f.files, base.ctimeMs), '/f', p.how);
    await readParsed(cache.session(f.files, base.ctimeMs + 1), '/f', p.how);
    expect(f.reads).toHaveLength(2);
    expect(p.calls()).toBe(1);
  });

  it('no stamp (not a regular file, stat failed, files without stamps): always read', async () => {
    const f = fake();
    const cache = new HostFileCache();
    f.set('/f', 'first\n', null);
    await cache.session(f.files, settled).readText('/f');
    await cache.session(f.files, settled + LATER).readText('/f');
    expect(f.reads).toHaveLength(2);
  });

  it('a failed read is returned as it is and not kept', async () => {
    const f = fake();
    const cache = new HostFileCache();
    f.set('/f', 'first\n', base);
    await cache.session(f.files, settled).readText('/f');
    f.set('/f', null, { ...base, ino: 11 });
    expect(await cache.session(f.files, settled + LATER).readText('/f')).toEqual(err({ code: 'XH_ERR_FILE', path: '/f', errno: 'ENOENT', message: '/f: does not exist' }));
    // back with the old stamp: read, not taken from before the failure
    f.set('/f', 'again\n', base);
    expect(await cache.session(f.files, settled + 2 * LATER).readText('/f')).toEqual(ok('again\n'));
  });

  it('a file the last full read did not ask for is dropped (deleted, or no longer listed)', async () => {
    const f = fake();
    const cache = new HostFileCache();
    f.set('/a', 'a\n', base);
    f.set('/b', 'b\n', { ...base, ino: 11 });
    const s1 = cache.session(f.files, settled);
    await s1.readText('/a');
    await s1.readText('/b');
    await cache.session(f.files, settled + LATER).readText('/a');
    await cache.session(f.files, settled + 2 * LATER).readText('/b');
    expect(f.reads).toEqual(['/a', '/b', '/b']);
  });
});
