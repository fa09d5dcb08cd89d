import { existsSync, lstatSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BootRecord } from '../../../agent/run/boot-record.js';
import { mkfifo, runBounded, scratch, victim } from '../adapters/hostile-fs.js';

const s = scratch();
afterEach(() => s.cleanup());

const runDir = (): string => {
  const d = join(s.dir('boot'), 'run', 'xenherd');
  mkdirSync(d, { recursive: true, mode: 0o700 });
  return d;
};

describe('BootRecord', () => {
  it('remembers names across instances, written owner-only', () => {
    const file = join(runDir(), 'autostart-boot.json');
    const b = new BootRecord(file);
    expect(b.add('web1')).toEqual({ ok: true, value: undefined });
    expect([...new BootRecord(file).all]).toEqual(['web1']);
    expect(lstatSync(file).mode & 0o777).toBe(0o600);
  });

  it('does not use a record with a key given twice, and says where', () => {
    const file = join(runDir(), 'autostart-boot.json');
    writeFileSync(file, '{"handled": ["web1"],\n "handled": []}');
    const b = new BootRecord(file);
    expect([...b.all]).toEqual([]);
    expect(b.problem).toBe(`${file}: line 2, column 2: key "handled" appears twice (lines 1 and 2): not a boot record; starting as if nothing was handled since boot`);
  });

  it('reads a record an editor saved with a byte-order mark, and says "not JSON" of one that is not', () => {
    const file = join(runDir(), 'autostart-boot.json');
    writeFileSync(file, '\ufeff{"handled": ["web1"]}');
    const b = new BootRecord(file);
    expect(b.problem).toBeNull();
    expect([...b.all]).toEqual(['web1']);
    writeFileSync(file, '{"handled": ["web1"]');
    const bad = new BootRecord(file);
    expect([...bad.all]).toEqual([]);
    expect(bad.problem).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: not JSON \\(.+\\); starting as if nothing was handled since boot$`));
  });

  it('does not write through a symlink planted at the temp name', () => {
    const dir = runDir();
    const v = victim(s);
    symlinkSync(v.path, join(dir, 'autostart-boot.json.tmp'));
    symlinkSync(v.path, join(dir, `autostart-boot.json.tmp-${process.pid}`));
    new BootRecord(join(dir, 'autostart-boot.json')).add('web1');
    expect(v.intact()).toBe(true);
    expect(lstatSync(join(dir, 'autostart-boot.json')).isFile()).toBe(true);
  });

  it('does not read a record through a symlink', () => {
    const dir = runDir();
    const outside = join(s.dir('outside'), 'x.json');
    writeFileSync(outside, JSON.stringify({ handled: ['web1'] }));
    symlinkSync(outside, join(dir, 'autostart-boot.json'));
    const b = new BootRecord(join(dir, 'autostart-boot.json'));
    expect([...b.all]).toEqual([]);
    expect(b.problem).toContain('symbolic link');
  });

  it('refuses names read back from disk that are not domU names', () => {
    const file = join(runDir(), 'autostart-boot.json');
    writeFileSync(file, JSON.stringify({ handled: ['web1', '../../etc/passwd'] }));
    const b = new BootRecord(file);
    expect([...b.all]).toEqual([]);
    expect(b.problem).toContain(file);
  });

  it('the daemon stamping this boot moves a record it cannot read to .unreadable instead of writing over it', () => {
    // a hand edit that left a trailing comma: the names in it are what autostart handled since
    // boot (an operator's stops among them), which the stamp below used to replace by none
    const file = join(runDir(), 'autostart-boot.json');
    const damaged = '{"handled": ["db1", "web1",]}';
    writeFileSync(file, damaged);
    const b = new BootRecord(file, { bootId: '6f1c2a9e-0b7d-4c55-9e0b-1f2d3c4b5a6e', emptiedByBoot: true, startedAtMs: null });
    expect([...b.all]).toEqual([]);
    expect(readFileSync(`${file}.unreadable`, 'utf8')).toBe(damaged);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ handled: [] });
    // in /run, it was this boot's: lost (boot-record-lost.test.ts)
    expect(b.problem).toMatch(/: not JSON \(.+\); it is in a dir every boot empties, so it was written this boot: .*; it is kept as \S+autostart-boot\.json\.unreadable \(the domUs it names were handled since boot: started, or stopped by an operator\)\. To go on: start each guarded domU/);
    // the first add of a command (no boot given) does the same
    writeFileSync(file, damaged);
    const saver = new BootRecord(file);
    expect(saver.add('web2')).toEqual({ ok: true, value: undefined });
    expect(readFileSync(`${file}.unreadable`, 'utf8')).toBe(damaged);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ handled: ['web2'] });
    // a readable record is never moved
    const again = new BootRecord(file);
    expect(again.add('web3')).toEqual({ ok: true, value: undefined });
    expect(again.problem).toBeNull();
    expect(existsSync(`${file}.unreadable`)).toBe(true);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ handled: ['web2', 'web3'] });
  });

  it('refuses to remember a name that is not a domU name', () => {
    const file = join(runDir(), 'autostart-boot.json');
    expect(new BootRecord(file).add('a/b')).toMatchObject({ ok: false, error: { code: 'XH_ERR_INTERNAL' } });
  });

  it('a FIFO as the record does not block the daemon', async () => {
    const dir = runDir();
    mkfifo(join(dir, 'autostart-boot.json'));
    const out = await runBounded(s.dir('child'), ['boot-record', join(dir, 'autostart-boot.json')]);
    expect(out.timedOut).toBe(false);
    expect(JSON.parse(out.stdout)).toEqual({ handled: [] });
  });
});
