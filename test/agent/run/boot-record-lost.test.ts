import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BootRecord, type ThisBoot } from '../../../agent/run/boot-record.js';
import { scratch } from '../adapters/hostile-fs.js';

// A record of what autostart handled since boot that cannot be read: when it may be this boot's,
// which domUs an operator stopped since boot is not known, and autostart starts none on its own
// (`lost`); one of an earlier boot is as if there was none. Also for the agents started later
// this boot, by the copy set aside.

const s = scratch();
afterEach(() => s.cleanup());

const STARTED = Date.parse('2026-12-04T08:00:00Z');
const HOUR = 3600_000;
const BOOT = '6f1c2a9e-0b7d-4c55-9e0b-1f2d3c4b5a6e';
const outsideRun: ThisBoot = { bootId: BOOT, emptiedByBoot: false, startedAtMs: STARTED };
const setMtime = (path: string, ms: number): void => utimesSync(path, ms / 1000, ms / 1000);
const truncated = (mtimeMs: number): string => {
  const d = join(s.dir('boot'), 'var', 'lib', 'xenherd');
  mkdirSync(d, { recursive: true, mode: 0o700 });
  const file = join(d, 'autostart-boot.json');
  writeFileSync(file, '{"handled": ["db1", "we');
  setMtime(file, mtimeMs);
  return file;
};

describe('BootRecord, unreadable', () => {
  it('written since this boot began: lost, the error naming the file, its copy and the way out; and still lost for the next agent', () => {
    const file = truncated(STARTED + HOUR);
    const b = new BootRecord(file, outsideRun);
    expect([...b.all]).toEqual([]);
    expect(b.lost).toEqual({ why: `${file} could not be read, kept as ${file}.unreadable`, file: `${file}.unreadable` });
    // JSON.parse's own words vary with the Node release
    expect(b.problem?.replace(/not JSON \(.+?\);/, 'not JSON (…);')).toBe(
      `${file}: not JSON (…); written 2026-12-04 09:00 UTC, since this boot began (2026-12-04 08:00 UTC): ` +
        `what autostart handled since boot (an operator's stops among them) is not known, so it starts no guarded domU on its own until the next boot; ` +
        `it is kept as ${file}.unreadable (the domUs it names were handled since boot: started, or stopped by an operator). ` +
        `To go on: start each guarded domU that should run with \`xenherd-agent autostart start --force NAME --reason TEXT\` (${file}.unreadable may still name the ones handled); ` +
        'one stopped on purpose: move its config out of the guarded dir of each Dom0 guarding it, then `xenherd-agent autostart reload` there; ' +
        `once ${file}.unreadable is mended (a {"handled":[…]} record naming the domUs handled this boot) or moved out of ${join(file, '..')}, \`xenherd-agent autostart reload\` reads it again: autostart then starts every guarded domU not running and not named there`,
    );
    // the saver adds web2 (an operator's forced start); the agent restarted later this boot reads it, and still knows of the loss
    expect(new BootRecord(file).add('web2').ok).toBe(true);
    const next = new BootRecord(file, outsideRun);
    expect([...next.all]).toEqual(['web2']);
    expect(next.lost).toEqual({ why: `${file}.unreadable, the record an agent could not read earlier this boot`, file: `${file}.unreadable` });
    expect(next.problem).toContain(`${file}.unreadable: a record of this boot an agent could not read and set aside (written 2026-12-04 09:00 UTC, since this boot began`);
    expect(next.problem).toContain('xenherd-agent autostart start --force NAME --reason TEXT');
  });

  it('its copy mended and moved back over the record: the next agent reads the domUs it names, and nothing is lost', () => {
    const file = truncated(STARTED + HOUR);
    expect(new BootRecord(file, outsideRun).lost).not.toBeNull();
    // what the operator does: the copy mended by hand, moved back in place of the record the agent wrote since
    writeFileSync(`${file}.unreadable`, '{"handled": ["db1", "web1"]}');
    renameSync(`${file}.unreadable`, file);
    const next = new BootRecord(file, outsideRun);
    expect(next.lost).toBeNull();
    expect(next.problem).toBeNull();
    expect([...next.all]).toEqual(['db1', 'web1']);
  });

  it('its copy mended in place: the agent restarted (no reload) reads the domUs it names with those handled since, the loss ends, and the copy goes', () => {
    const file = truncated(STARTED + HOUR);
    expect(new BootRecord(file, outsideRun).lost).not.toBeNull();
    // the saver records a forced start; then the operator mends the copy where it lies, as the loss's words ask
    expect(new BootRecord(file).add('web2').ok).toBe(true);
    writeFileSync(`${file}.unreadable`, '{"handled": ["db1", "web1"]}');
    const next = new BootRecord(file, outsideRun);
    expect([next.lost, next.problem]).toEqual([null, null]);
    expect([...next.all].sort()).toEqual(['db1', 'web1', 'web2']);
    expect(next.mended).toBe(`${file}.unreadable read again: the 2 domUs it names are taken as handled this boot (kept in ${file}, ${file}.unreadable removed): autostart starts guarded domUs on its own again`);
    expect(existsSync(`${file}.unreadable`)).toBe(false);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ handled: ['db1', 'web1', 'web2'] });
    // and the one after it finds all three in the record, nothing mended, nothing lost
    const after = new BootRecord(file, outsideRun);
    expect([after.lost, after.mended, [...after.all]]).toEqual([null, null, ['db1', 'web1', 'web2']]);
  });

  it('its copy mended in place as another boot\'s record: a restart ends the loss without taking its names, and leaves it as it is', () => {
    const file = truncated(STARTED + HOUR);
    expect(new BootRecord(file, outsideRun).lost).not.toBeNull();
    writeFileSync(`${file}.unreadable`, '{"bootId": "00000000-0000-4000-8000-000000000000", "handled": ["db1"]}');
    const next = new BootRecord(file, outsideRun);
    expect([next.lost, [...next.all]]).toEqual([null, []]);
    expect(next.mended).toBe(`${file}.unreadable read again: a record of another boot, which says nothing of this one (left as it is): autostart starts guarded domUs on its own again`);
    expect(readFileSync(`${file}.unreadable`, 'utf8')).toContain('"db1"');
  });

  it('written before this boot began: an earlier boot\'s, set aside, nothing lost; its copy does not make a later agent think so either', () => {
    const file = truncated(STARTED - HOUR);
    const b = new BootRecord(file, outsideRun);
    expect(b.lost).toBeNull();
    expect(b.problem).toMatch(/: not JSON \(.+\); written 2026-12-04 07:00 UTC, before this boot began \(2026-12-04 08:00 UTC\): an earlier boot's, starting as if nothing was handled since boot; it is kept as \S+\.unreadable/);
    expect(new BootRecord(file, outsideRun).lost).toBeNull();
    // without a boot (the saver), nothing is judged
    expect(new BootRecord(truncated(STARTED + HOUR)).lost).toBeNull();
  });

  it('that cannot be set aside (its .unreadable name taken by a directory): left as it is, not written over; lost naming why, for this agent and the next', () => {
    const file = truncated(STARTED + HOUR);
    // rename(2) will not put a file over a directory: EISDIR, as EROFS or EACCES would refuse it
    mkdirSync(join(`${file}.unreadable`, 'kept'), { recursive: true });
    const b = new BootRecord(file, outsideRun);
    expect(b.lost).toEqual({ why: `${file} could not be read, nor set aside as ${file}.unreadable (EISDIR)`, file });
    expect(readFileSync(file, 'utf8')).toBe('{"handled": ["db1", "we');
    expect(b.problem).toContain(
      `; it could not be set aside as ${file}.unreadable (EISDIR), so it is left as it is, not written over: the domUs handled from now on are remembered only while this agent runs. To go on:`,
    );
    expect(b.problem).toContain(`once ${file} is mended (a {"handled":[…]} record naming the domUs handled this boot) or moved out of ${join(file, '..')}, \`xenherd-agent autostart reload\` reads it again`);
    // the saver cannot record a start either, and says so; the record stays as it was
    const saved = new BootRecord(file).add('web2');
    expect(saved.ok ? null : saved.error.message).toBe(`${file} could not be read and it could not be set aside as ${file}.unreadable (EISDIR), so it is left as it is, not written over: the domUs handled since boot are not recorded for an agent started later`);
    expect(readFileSync(file, 'utf8')).toBe('{"handled": ["db1", "we');
    // the next agent this boot finds the same record, and says the same
    expect(new BootRecord(file, outsideRun).lost?.why).toBe(`${file} could not be read, nor set aside as ${file}.unreadable (EISDIR)`);
    // the way out taken: the directory gone, the next agent sets the record aside as it should
    rmSync(`${file}.unreadable`, { recursive: true });
    const mended = new BootRecord(file, outsideRun);
    expect(mended.lost).toEqual({ why: `${file} could not be read, kept as ${file}.unreadable`, file: `${file}.unreadable` });
    expect(readFileSync(`${file}.unreadable`, 'utf8')).toBe('{"handled": ["db1", "we');
  });

  it('read again at a reload (readAgain): its copy mended, the domUs it names join those the saver kept, and the copy goes', () => {
    const file = truncated(STARTED + HOUR);
    const b = new BootRecord(file, outsideRun);
    // the saver records a forced start meanwhile, in its own instance
    expect(new BootRecord(file).add('web2').ok).toBe(true);
    writeFileSync(`${file}.unreadable`, '{"handled": ["db1", "web1"]}');
    expect(b.readAgain(outsideRun)).toEqual({ ended: true, said: `${file}.unreadable read again: the 2 domUs it names are taken as handled this boot (kept in ${file}, ${file}.unreadable removed): autostart starts guarded domUs on its own again` });
    expect(b.lost).toBeNull();
    expect(b.problem).toBeNull();
    expect([...b.all].sort()).toEqual(['db1', 'web1', 'web2']);
    expect(existsSync(`${file}.unreadable`)).toBe(false);
    // the next agent this boot finds them all, and no loss
    const next = new BootRecord(file, outsideRun);
    expect([next.lost, [...next.all]]).toEqual([null, ['db1', 'web1', 'web2']]);
    // nothing lost: a reload reads nothing
    expect(next.readAgain(outsideRun)).toBeNull();
  });

  it('read again at a reload: moved away, the loss ends; still unreadable, it stays and says why; another boot\'s names are not taken', () => {
    const file = truncated(STARTED + HOUR);
    const b = new BootRecord(file, outsideRun);
    writeFileSync(`${file}.unreadable`, '{"handled": ["db1",]}');
    const still = b.readAgain(outsideRun);
    expect(still?.ended).toBe(false);
    expect(still?.said).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\.unreadable read again at the reload, and it still cannot be read: .+: not JSON`));
    expect(b.lost?.why).toMatch(/read again at a reload, and it still cannot be read: .+: not JSON/);
    expect(b.problem).toContain('To go on:');
    writeFileSync(`${file}.unreadable`, `{"bootId": "00000000-0000-4000-8000-000000000000", "handled": ["db1"]}`);
    expect(b.readAgain(outsideRun)?.said).toBe(`${file}.unreadable read again: a record of another boot, which says nothing of this one (left as it is): autostart starts guarded domUs on its own again`);
    expect([b.lost, [...b.all]]).toEqual([null, []]);
    const other = truncated(STARTED + HOUR);
    const gone = new BootRecord(other, outsideRun);
    rmSync(`${other}.unreadable`);
    expect(gone.readAgain(outsideRun)).toEqual({ ended: true, said: `${other}.unreadable is gone: autostart starts guarded domUs on its own again` });
    expect(gone.lost).toBeNull();
  });
});
