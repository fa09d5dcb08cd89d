import { lstatSync, mkdirSync, readFileSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { takeLock } from '../../shared/fs/file-lock.js';
import { scratch, victim } from '../agent/adapters/hostile-fs.js';

const s = scratch();
afterEach(() => s.cleanup());

const bootId = (): string => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
const startTicks = (pid: number): string => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] as string;
};

describe('takeLock', () => {
  it('writes pid, process start time and boot id, and releases', async () => {
    const path = join(s.dir('lock'), 'ledger.json.lock');
    const l = await takeLock(path, 'the ledger');
    expect(l.ok).toBe(true);
    if (!l.ok) return;
    expect(readFileSync(path, 'utf8')).toBe(`${process.pid} ${startTicks(process.pid)} ${bootId()}\n`);
    l.value.release();
    expect(() => lstatSync(path)).toThrow();
  });

  it('excludes a second taker while held (XH_ERR_LOCKED naming the holder)', async () => {
    const path = join(s.dir('lock'), 'x.lock');
    const first = await takeLock(path, 'domU web1');
    expect(first.ok).toBe(true);
    const second = await takeLock(path, 'domU web1', 50);
    expect(second).toMatchObject({ ok: false, error: { code: 'XH_ERR_LOCKED' } });
    expect(!second.ok && second.error.message).toContain(String(process.pid));
    if (first.ok) first.value.release();
  });

  it('does not follow a planted symlink at its private pid file (ledger.json.lock.<pid>)', async () => {
    const dir = s.dir('lock');
    const v = victim(s);
    symlinkSync(v.path, join(dir, `ledger.json.lock.${process.pid}`));
    const l = await takeLock(join(dir, 'ledger.json.lock'), 'the ledger');
    expect(l.ok).toBe(true);
    if (l.ok) l.value.release();
    expect(v.intact()).toBe(true);
  });

  it('refuses at once a lock that is a directory, naming it and how to clear it', async () => {
    const path = join(s.dir('lock'), 'ledger.json.lock');
    mkdirSync(path);
    const t0 = Date.now();
    const l = await takeLock(path, 'the ledger', 5_000);
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(l.ok).toBe(false);
    if (l.ok) return;
    expect(l.error.message).toContain(path);
    expect(l.error.message).toContain('directory');
    expect(l.error.message).toContain(`rmdir ${path}`);
  });

  it('refuses a symlink as the lock without touching what it points at', async () => {
    const path = join(s.dir('lock'), 'ledger.json.lock');
    const v = victim(s);
    symlinkSync(v.path, path);
    const l = await takeLock(path, 'the ledger', 100);
    expect(l.ok).toBe(false);
    expect(!l.ok && l.error.message).toContain(`rm ${path}`);
    expect(v.intact()).toBe(true);
  });

  it('takes over a lock naming a live unrelated process (our parent) whose start time differs: the pid was reused', async () => {
    const path = join(s.dir('lock'), 'ledger.json.lock');
    writeFileSync(path, `${process.ppid} 1 ${bootId()}\n`);
    const l = await takeLock(path, 'the ledger', 100);
    expect(l.ok).toBe(true);
    if (l.ok) l.value.release();
  });

  it('takes over a lock from a previous boot even when the pid and start time match a live process', async () => {
    const path = join(s.dir('lock'), 'ledger.json.lock');
    writeFileSync(path, `${process.ppid} ${startTicks(process.ppid)} 00000000-0000-0000-0000-000000000000\n`);
    const l = await takeLock(path, 'the ledger', 100);
    expect(l.ok).toBe(true);
    if (l.ok) l.value.release();
  });

  it('takes over the lock of a dead process (pid only, as older versions wrote it)', async () => {
    const path = join(s.dir('lock'), 'ledger.json.lock');
    writeFileSync(path, '999999999\n');
    const l = await takeLock(path, 'the ledger');
    expect(l.ok).toBe(true);
    if (l.ok) l.value.release();
  });

  it('a pid-only lock naming a live unrelated process: names the file, the pid and how to clear it', async () => {
    const path = join(s.dir('lock'), 'ledger.json.lock');
    writeFileSync(path, `${process.ppid}\n`);
    const l = await takeLock(path, 'the ledger', 100);
    expect(l).toMatchObject({ ok: false, error: { code: 'XH_ERR_LOCKED' } });
    if (l.ok) return;
    expect(l.error.message).toContain(path);
    expect(l.error.message).toContain(`process ${process.ppid}`);
    expect(l.error.message).toContain(`rm ${path}`);
  });

  it('a lock file holding no lock line is refused at once with the fix; one from before this boot (a power cut) is stale', async () => {
    const path = join(s.dir('lock'), 'ledger.json.lock');
    writeFileSync(path, '');
    const t0 = Date.now();
    const l = await takeLock(path, 'the ledger', 5_000);
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(l.ok).toBe(false);
    expect(!l.ok && l.error.message).toContain(`rm ${path}`);
    utimesSync(path, new Date('2000-01-01T00:00:00Z'), new Date('2000-01-01T00:00:00Z'));
    const again = await takeLock(path, 'the ledger');
    expect(again.ok).toBe(true);
    if (again.ok) again.value.release();
  });

  it('release leaves alone a lock file that is no longer its own', async () => {
    const path = join(s.dir('lock'), 'x.lock');
    const l = await takeLock(path, 'domU web1');
    expect(l.ok).toBe(true);
    if (!l.ok) return;
    unlinkSync(path);
    writeFileSync(path, 'someone else\n');
    l.value.release();
    expect(readFileSync(path, 'utf8')).toBe('someone else\n');
  });

  it('refuses a lock dir writable by others', async () => {
    const dir = join(s.dir('lock'), 'locks');
    mkdirSync(dir, { mode: 0o777 });
    const { chmodSync } = await import('node:fs');
    chmodSync(dir, 0o777);
    const l = await takeLock(join(dir, 'web1.lock'), 'domU web1');
    expect(l).toMatchObject({ ok: false, error: { code: 'XH_ERR_FILE' } });
    expect(!l.ok && l.error.message).toContain(dir);
  });
});
