import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ROLL_RECORDS_FILE, rollRecordsFile } from '../../../controller/files/roll-records-file.js';
import { writableStateDir } from '../../../controller/files/writable-state-dir.js';
import type { RollProgress } from '../../../controller/plan/roll-record.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const base = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'xenherd-rollrecords-'));
  dirs.push(d);
  return d;
};
const REC: RollProgress = { controller: 'xenherd-controller@ctl1:8443', hosts: ['xen1', 'xen2'], at: 1_700_000_000_000, finished: { xen1: '8f4e2c9a-1b3d-4e5f-9a0b-1c2d3e4f5a6b' } };

describe('the roll records in the state dir', () => {
  it('written whole, 0600 in a 0700 dir it creates, read back; none saved removes the file', () => {
    const dir = join(base(), 'state');
    const store = rollRecordsFile(dir);
    expect(store.load()).toEqual({ records: [], problem: null });
    expect(store.save([REC])).toBeNull();
    expect(statSync(join(dir, ROLL_RECORDS_FILE)).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(rollRecordsFile(dir).load()).toEqual({ records: [REC], problem: null });
    expect(store.save([])).toBeNull();
    expect(existsSync(join(dir, ROLL_RECORDS_FILE))).toBe(false);
    expect(store.load()).toEqual({ records: [], problem: null });
  });

  it('a file that is not a record (bad JSON, a wrong boot id, an unknown key) is a problem, and no record', () => {
    const dir = base();
    const file = join(dir, ROLL_RECORDS_FILE);
    for (const text of ['{', JSON.stringify({ version: 1, rolls: [{ ...REC, finished: { xen1: '../../etc' } }] }), JSON.stringify({ version: 1, rolls: [{ ...REC, skip: true }] }), JSON.stringify({ version: 2, rolls: [] })]) {
      writeFileSync(file, text, { mode: 0o600 });
      const r = rollRecordsFile(dir).load();
      expect([text, r.records]).toEqual([text, []]);
      expect(r.problem).toContain(file);
    }
    // the next save moves it aside before it writes: it may hold other stopped rolls' progress
    expect(rollRecordsFile(dir).load().problem).toBe(`${file}: not a record of rolls (Invalid input: expected 1); the next save of a roll's progress moves it to ${file}.unreadable`);
    expect(rollRecordsFile(dir).save([REC])).toBeNull();
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ version: 1, rolls: [REC] });
    expect(readFileSync(`${file}.unreadable`, 'utf8')).toBe(JSON.stringify({ version: 2, rolls: [] }));
  });

  it('a hand edit gone wrong is kept as .unreadable by the save that replaces it, the completed roll\'s removal too', () => {
    const dir = base();
    const file = join(dir, ROLL_RECORDS_FILE);
    // two stopped rolls' progress, a trailing comma after the last: the next roll's save wrote over both
    const damaged = `${JSON.stringify({ version: 1, rolls: [REC, { ...REC, hosts: ['xen3', 'xen4'], finished: { xen3: 'b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e' } }] }, null, 2).slice(0, -2)},\n}\n`;
    writeFileSync(file, damaged, { mode: 0o600 });
    expect(rollRecordsFile(dir).save([REC])).toBeNull();
    expect(readFileSync(`${file}.unreadable`, 'utf8')).toBe(damaged);
    expect(rollRecordsFile(dir).load()).toEqual({ records: [REC], problem: null });
    writeFileSync(file, damaged, { mode: 0o600 });
    expect(rollRecordsFile(dir).save([])).toBeNull();
    expect(existsSync(file)).toBe(false);
    expect(readFileSync(`${file}.unreadable`, 'utf8')).toBe(damaged);
    // a readable file is never moved: the save replaces it as before
    rmSync(`${file}.unreadable`);
    expect(rollRecordsFile(dir).save([REC])).toBeNull();
    expect(rollRecordsFile(dir).save([])).toBeNull();
    expect(existsSync(`${file}.unreadable`)).toBe(false);
  });

  it('one that cannot be moved aside is not written over', () => {
    const dir = base();
    const file = join(dir, ROLL_RECORDS_FILE);
    writeFileSync(file, '{', { mode: 0o600 });
    // a directory in the way of the move: rename(2) cannot put a file over it
    mkdirSync(join(`${file}.unreadable`, 'x'), { recursive: true });
    expect(rollRecordsFile(dir).save([REC])).toBe(`${file} is not a record of rolls and could not be moved to ${file}.unreadable (EISDIR): not written over`);
    expect(readFileSync(file, 'utf8')).toBe('{');
  });

  it('not read from a dir others can write to, nor through a symbolic link', () => {
    const dir = base();
    expect(rollRecordsFile(dir).save([REC])).toBeNull();
    chmodSync(dir, 0o777);
    const open = rollRecordsFile(dir).load();
    expect(open.records).toEqual([]);
    expect(open.problem).toMatch(/writ/);
    chmodSync(dir, 0o700);
    const other = base();
    mkdirSync(join(other, 'd'), { mode: 0o700 });
    symlinkSync(join(dir, ROLL_RECORDS_FILE), join(other, 'd', ROLL_RECORDS_FILE));
    const linked = rollRecordsFile(join(other, 'd')).load();
    expect(linked.records).toEqual([]);
    expect(linked.problem).not.toBeNull();
  });

  it('the dir written to: systemd\'s STATE_DIRECTORY resolved (DynamicUser= makes it a link), else stateDir', () => {
    const b = base();
    mkdirSync(join(b, 'private', 'svc'), { recursive: true, mode: 0o700 });
    symlinkSync(join(b, 'private', 'svc'), join(b, 'svc'));
    expect(writableStateDir(join(b, 'svc'), '/var/lib/x')).toBe(join(b, 'private', 'svc'));
    expect(writableStateDir(`${join(b, 'svc')}:/other`, '/var/lib/x')).toBe(join(b, 'private', 'svc'));
    expect(writableStateDir(undefined, '/var/lib/x')).toBe('/var/lib/x');
    expect(writableStateDir('', '/var/lib/x')).toBe('/var/lib/x');
    expect(writableStateDir(join(b, 'missing'), '/var/lib/x')).toBe(join(b, 'missing'));
  });
});
