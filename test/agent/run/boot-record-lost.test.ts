import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
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
    expect(b.lost).toBe(`${file} could not be read, kept as ${file}.unreadable`);
    // JSON.parse's own words vary with the Node release
    expect(b.problem?.replace(/not JSON \(.+?\);/, 'not JSON (…);')).toBe(
      `${file}: not JSON (…); written 2026-12-04 09:00 UTC, since this boot began (2026-12-04 08:00 UTC): ` +
        `what autostart handled since boot (an operator's stops among them) is not known, so it starts no guarded domU on its own until the next boot; ` +
        `it is kept as ${file}.unreadable (the domUs it names were handled since boot: started, or stopped by an operator). ` +
        `To go on: start each guarded domU that should run with \`xenherd-agent autostart start --force NAME --reason TEXT\` (${file}.unreadable may still name the ones handled); ` +
        `to have autostart start every guarded domU not running instead, move ${file}.unreadable out of ${join(file, '..')} and restart the agent`,
    );
    // the saver adds web2 (an operator's forced start); the agent restarted later this boot reads it, and still knows of the loss
    expect(new BootRecord(file).add('web2').ok).toBe(true);
    const next = new BootRecord(file, outsideRun);
    expect([...next.all]).toEqual(['web2']);
    expect(next.lost).toBe(`${file}.unreadable, the record an agent could not read earlier this boot`);
    expect(next.problem).toContain(`${file}.unreadable: a record of this boot an agent could not read and set aside (written 2026-12-04 09:00 UTC, since this boot began`);
    expect(next.problem).toContain('xenherd-agent autostart start --force NAME --reason TEXT');
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
});
