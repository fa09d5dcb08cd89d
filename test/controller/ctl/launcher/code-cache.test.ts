import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cacheDataOf, cacheDir, compileProgram, cacheFileName, cacheFileOf, OTHER_BUILD_KEPT_MS, pruneOtherBuilds, readCache, writeCache } from '../../../../controller/ctl/launcher/code-cache.js';

const uid = process.getuid?.() ?? 0;
let dir = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'xenherd-code-cache-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('where the cache lives', () => {
  it('is $XDG_CACHE_HOME/xenherd, else ~/.cache/xenherd, else nowhere', () => {
    expect(cacheDir({ XDG_CACHE_HOME: '/x/cache', HOME: '/home/op' })).toBe('/x/cache/xenherd');
    expect(cacheDir({ HOME: '/home/op' })).toBe('/home/op/.cache/xenherd');
    // relative values are not places (the XDG spec says to ignore them)
    expect(cacheDir({ XDG_CACHE_HOME: 'cache', HOME: '/home/op' })).toBe('/home/op/.cache/xenherd');
    expect(cacheDir({ HOME: 'op' })).toBeNull();
    expect(cacheDir({})).toBeNull();
  });

  it('names the build, the Node and the command, and nothing a command line can steer', () => {
    const id = { sourceKey: 'abc123', node: 'v18.19.0', arch: 'x64' };
    expect(cacheFileName({ ...id, command: 'where' })).toBe('xenherdctl-abc123-nodev18.19.0-x64-where.v8cache');
    for (const command of ['../../etc/passwd', 'WHERE', '', '-q', 'a'.repeat(40), 'a/b', undefined]) {
      expect(cacheFileName({ ...id, command })).toBe('xenherdctl-abc123-nodev18.19.0-x64-other.v8cache');
    }
    expect(cacheFileName({ ...id, sourceKey: '../x', command: 'hosts' })).toBe('xenherdctl-.._x-nodev18.19.0-x64-hosts.v8cache');
  });
});

describe('the cache file', () => {
  const data = Buffer.from('compiled code, as V8 hands it over');

  it('gives back its data only while the digest ahead of it matches', () => {
    const file = cacheFileOf(data);
    expect(cacheDataOf(file)).toEqual(data);
    const damaged = Buffer.from(file);
    damaged.writeUInt8(damaged.readUInt8(damaged.length - 3) ^ 0x20, damaged.length - 3);
    expect(cacheDataOf(damaged)).toBeNull();
    expect(cacheDataOf(file.subarray(0, file.length - 1))).toBeNull();
    expect(cacheDataOf(file.subarray(0, 32))).toBeNull();
    expect(cacheDataOf(Buffer.alloc(0))).toBeNull();
  });

  it('is written whole, for this user alone, and read back', () => {
    const cdir = join(dir, 'cache', 'xenherd');
    const path = join(cdir, 'xenherdctl-k-nodev20-x64-where.v8cache');
    expect(writeCache(cdir, path, data)).toBe(true);
    expect(statSync(cdir).mode & 0o777).toBe(0o700);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readdirSync(cdir)).toEqual(['xenherdctl-k-nodev20-x64-where.v8cache']);
    expect(readCache(path, uid)).toEqual(data);
  });

  it('is not written where it cannot be, and leaves nothing behind', () => {
    const blocked = join(dir, 'not-a-dir');
    writeFileSync(blocked, '');
    expect(writeCache(blocked, join(blocked, 'c.v8cache'), data)).toBe(false);
    // a cache dir under /proc (XDG_CACHE_HOME=/proc/x): Node's recursive mkdir never returned there
    expect(writeCache('/proc/xenherd-no-such/xenherd', '/proc/xenherd-no-such/xenherd/c.v8cache', data)).toBe(false);
    chmodSync(dir, 0o500);
    try {
      // root writes anyway; anyone else is refused, and either way no temporary file is left
      writeCache(dir, join(dir, 'c.v8cache'), data);
    } finally {
      chmodSync(dir, 0o700);
    }
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('is not taken when missing, damaged, not a regular file, a symlink, writable by others, or another user\'s', () => {
    const path = join(dir, 'c.v8cache');
    expect(readCache(path, uid)).toBeNull();
    writeFileSync(path, cacheFileOf(data), { mode: 0o600 });
    expect(readCache(path, uid)).toEqual(data);
    expect(readCache(path, uid + 1)).toBeNull();
    chmodSync(path, 0o620);
    expect(readCache(path, uid)).toBeNull();
    chmodSync(path, 0o602);
    expect(readCache(path, uid)).toBeNull();
    chmodSync(path, 0o644);
    expect(readCache(path, uid)).toEqual(data);
    const link = join(dir, 'link.v8cache');
    symlinkSync(path, link);
    expect(readCache(link, uid)).toBeNull();
    const sub = join(dir, 'sub.v8cache');
    mkdirSync(sub);
    expect(readCache(sub, uid)).toBeNull();
    writeFileSync(path, Buffer.concat([cacheFileOf(data), Buffer.from('x')]));
    expect(readCache(path, uid)).toBeNull();
  });

  it("of other builds is removed once a week old; this build's files, others' files and recent ones stay", () => {
    const now = Date.now();
    const written = (n: string, agoMs: number): void => {
      writeFileSync(join(dir, n), '');
      utimesSync(join(dir, n), new Date(now - agoMs), new Date(now - agoMs));
    };
    const week = OTHER_BUILD_KEPT_MS;
    written('xenherdctl-old1-nodev20-x64-where.v8cache', week + 60_000);
    written('xenherdctl-other-nodev20-x64-where.v8cache', week - 60_000);
    written('xenherdctl-new-nodev20-x64-where.v8cache', 2 * week);
    written('xenherdctl-new-nodev18-x64-hosts.v8cache', 2 * week);
    written('notes.txt', 2 * week);
    written('xenherdctl-old2-x', 2 * week);
    pruneOtherBuilds(dir, 'new', now);
    expect(readdirSync(dir).sort()).toEqual(['notes.txt', 'xenherdctl-new-nodev18-x64-hosts.v8cache', 'xenherdctl-new-nodev20-x64-where.v8cache', 'xenherdctl-old2-x', 'xenherdctl-other-nodev20-x64-where.v8cache']);
    pruneOtherBuilds(dir, 'new', now + 120_000);
    expect(readdirSync(dir)).not.toContain('xenherdctl-other-nodev20-x64-where.v8cache');
    pruneOtherBuilds(join(dir, 'gone'), 'new', now);
    expect(existsSync(join(dir, 'gone'))).toBe(false);
  });
});

describe('compiling the program through the cache', () => {
  // each test compiles a source of its own: V8 keeps what this process compiled, keyed by source,
  // and would answer a second compile from that without looking at the cache given
  let n = 0;
  const program = (): string => `(function (out) { out.push('ran'); function later() { return 41 + 1; } out.push(later()); /* ${String(++n)} ${String(Math.random())} */ })`;

  it('runs without one, makes one after the run, and V8 takes it the next time', () => {
    const source = program();
    const first = compileProgram(source, '/x/xenherdctl', null);
    expect(first.cache).toBe('none');
    const out: unknown[] = [];
    (first.script.runInThisContext() as (o: unknown[]) => void)(out);
    expect(out).toEqual(['ran', 42]);
    const made = first.script.createCachedData();
    const path = join(dir, 'c.v8cache');
    expect(writeCache(dir, path, made)).toBe(true);
    const again = compileProgram(source, '/x/xenherdctl', readCache(path, uid));
    expect(again.cache).toBe('taken');
    const out2: unknown[] = [];
    (again.script.runInThisContext() as (o: unknown[]) => void)(out2);
    expect(out2).toEqual(['ran', 42]);
  });

  it("says when V8 refuses a cache (another program's, or bytes that are not one)", () => {
    const other = compileProgram('(function () { return 1; })', '/x/other', null).script.createCachedData();
    expect(compileProgram(program(), '/x/xenherdctl', other).cache).toBe('rejected');
    expect(compileProgram(program(), '/x/xenherdctl', Buffer.from('not a code cache at all')).cache).toBe('rejected');
  });
});
