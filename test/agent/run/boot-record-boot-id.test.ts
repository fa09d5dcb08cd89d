import { mkdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { BootRecord, type ThisBoot } from '../../../agent/run/boot-record.js';
import { bootIdFileOf } from '../../../agent/run/boot-record-id.js';
import { mkfifo, runBounded, scratch } from '../adapters/hostile-fs.js';

// The record of the domUs handled since boot may live outside a tmpfs (controlSocket under
// /var/lib/xenherd): after a reboot it must not keep every domU from starting, so only this boot's
// record is used. Its boot is kept in an id file beside it, and the record stays in the format the
// agents older than the boot id read: an agent downgraded (or upgraded) mid-boot must not start
// again a domU the operator stopped.

const s = scratch();
afterEach(() => s.cleanup());

const recordFile = (under = join('var', 'lib', 'xenherd')): string => {
  const d = join(s.dir('boot'), under);
  mkdirSync(d, { recursive: true, mode: 0o700 });
  return join(d, 'autostart-boot.json');
};
const BOOT_A = '6f1c2a9e-0b7d-4c55-9e0b-1f2d3c4b5a6e';
const BOOT_B = 'a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d';
/** when this boot began, as now − uptime would say; the files' mtimes are set around it */
const STARTED = Date.parse('2026-12-04T08:00:00Z');
const HOUR = 3600_000;
const boot = (bootId: string, emptiedByBoot = false): ThisBoot => ({ bootId, emptiedByBoot, startedAtMs: STARTED });
const onDisk = (file: string): unknown => JSON.parse(readFileSync(file, 'utf8'));
const idLine = (file: string): string => readFileSync(bootIdFileOf(file), 'utf8');
const setMtime = (path: string, ms: number): void => utimesSync(path, ms / 1000, ms / 1000);

/** how the agents older than the boot id read the record (they cannot be changed) */
const OldAgentSchema = z.strictObject({ handled: z.array(z.string()) });
/** how an older agent rewrites the record after adding NAMES to what it read: the record only */
const olderAgentWrites = (file: string, names: readonly string[]): void => writeFileSync(file, JSON.stringify({ handled: [...names].sort() }));

describe('BootRecord and the boot it belongs to', () => {
  it('a record of an earlier boot is not used after a reboot, and says so by its boot id', () => {
    const file = recordFile();
    // boot A: the agent starts, the saver (as the effect runner's port does) records web1
    new BootRecord(file, boot(BOOT_A));
    expect(new BootRecord(file).add('web1').ok).toBe(true);
    expect(onDisk(file)).toEqual({ handled: ['web1'] });
    expect(idLine(file)).toMatch(new RegExp(`^${BOOT_A} sha256:[0-9a-f]{64}\\n$`));
    // an agent restart within boot A still knows web1
    expect([...new BootRecord(file, boot(BOOT_A)).all]).toEqual(['web1']);
    // power cycle: boot B; the files' mtimes are of no weight when the id file names the boot
    setMtime(file, STARTED + HOUR);
    const b = new BootRecord(file, boot(BOOT_B));
    expect([...b.all]).toEqual([]);
    expect(b.problem).toBeNull();
    expect(b.earlierBoot).toBe(`${file}: from boot ${BOOT_A}, not this one (${BOOT_B}): not used, nothing handled since this boot yet`);
    // stamped with boot B at once: what the saver adds now belongs to boot B
    expect(new BootRecord(file).add('db1').ok).toBe(true);
    expect(onDisk(file)).toEqual({ handled: ['db1'] });
    expect(idLine(file)).toContain(BOOT_B);
    expect([...new BootRecord(file, boot(BOOT_B)).all]).toEqual(['db1']);
  });

  it('downgrade: what this build writes is what the older agents read (no bootId key), in /run and elsewhere', () => {
    for (const under of [join('run', 'xenherd'), join('var', 'lib', 'xenherd')]) {
      const file = recordFile(under);
      // stamped at start, then added to by the saver: both writes in the older agents' format
      new BootRecord(file, boot(BOOT_A, under.startsWith('run')));
      expect(OldAgentSchema.safeParse(onDisk(file)).success).toBe(true);
      expect(new BootRecord(file).add('web1').ok).toBe(true);
      expect(OldAgentSchema.safeParse(onDisk(file))).toMatchObject({ success: true, data: { handled: ['web1'] } });
    }
  });

  it('a record of the builds between (bootId inside) is still read, and rewritten in the older agents\' format', () => {
    const file = recordFile();
    writeFileSync(file, JSON.stringify({ bootId: BOOT_A, handled: ['web1'] }));
    setMtime(file, STARTED - HOUR);
    const same = new BootRecord(file, boot(BOOT_A));
    expect([...same.all]).toEqual(['web1']);
    expect(same.earlierBoot).toBeNull();
    expect(same.byTimeAlone).toBeNull();
    expect(onDisk(file)).toEqual({ handled: ['web1'] });
    expect(idLine(file)).toContain(BOOT_A);

    writeFileSync(file, JSON.stringify({ bootId: BOOT_A, handled: ['web1'] }));
    setMtime(file, STARTED + HOUR);
    const other = new BootRecord(file, boot(BOOT_B));
    expect([...other.all]).toEqual([]);
    expect(other.earlierBoot).toContain(`from boot ${BOOT_A}, not this one (${BOOT_B})`);
    expect(other.earlierBoot).not.toContain('time');
  });

  it('upgrade: an older agent\'s record outside /run is used when written since this boot began, and stamped', () => {
    const file = recordFile();
    // db1 handled by the older agent this boot; the operator has since stopped it with xl shutdown
    olderAgentWrites(file, ['db1']);
    setMtime(file, STARTED + HOUR);
    const b = new BootRecord(file, boot(BOOT_A));
    expect([...b.all]).toEqual(['db1']);
    expect(b.problem).toBeNull();
    expect(b.earlierBoot).toBeNull();
    expect(b.byTimeAlone).toBe(`${file}: a record without a boot id (an older agent's), written 2026-12-04 09:00 UTC, since this boot began (2026-12-04 08:00 UTC): judged by its time alone, used`);
    // stamped: the next boot will not mistake it for its own
    expect(onDisk(file)).toEqual({ handled: ['db1'] });
    expect(idLine(file)).toContain(BOOT_A);
    expect(new BootRecord(file, boot(BOOT_B)).earlierBoot).toContain(`from boot ${BOOT_A}`);
  });

  it('upgrade: an older agent\'s record outside /run written before this boot began is set aside, saying its time decided', () => {
    const file = recordFile();
    olderAgentWrites(file, ['db1']);
    setMtime(file, STARTED - 1);
    const b = new BootRecord(file, boot(BOOT_A));
    expect([...b.all]).toEqual([]);
    expect(b.problem).toBeNull();
    expect(b.earlierBoot).toBe(`${file}: a record without a boot id, outside a dir every boot empties, written 2026-12-04 07:59 UTC, before this boot began (2026-12-04 08:00 UTC): judged by its time alone, not used, nothing handled since this boot yet`);
    // not knowing when this boot began, such a record is set aside as before
    olderAgentWrites(file, ['db1']);
    const unknown = new BootRecord(file, { bootId: BOOT_A, emptiedByBoot: false, startedAtMs: null });
    expect([...unknown.all]).toEqual([]);
    expect(unknown.earlierBoot).toContain('when this boot began is not known');
  });

  it('an older agent\'s record in a dir every boot empties is this boot\'s, whatever its time', () => {
    const file = recordFile(join('run', 'xenherd'));
    olderAgentWrites(file, ['web1']);
    setMtime(file, STARTED - HOUR);
    const b = new BootRecord(file, boot(BOOT_A, true));
    expect([...b.all]).toEqual(['web1']);
    expect(b.earlierBoot).toBeNull();
    expect(b.byTimeAlone).toBeNull();
  });

  it('a record an older agent rewrote after the id file is judged by its time, not by the id file', () => {
    const file = recordFile();
    // boot A under this build: record and id file
    new BootRecord(file, boot(BOOT_A));
    new BootRecord(file).add('web1');
    // downgraded in boot B, outside /run: the older agent used the record (it knows no boots) and
    // added db1, leaving the id file that still names boot A (and is older than the record)
    olderAgentWrites(file, ['db1', 'web1']);
    setMtime(bootIdFileOf(file), STARTED - HOUR);
    setMtime(file, STARTED + HOUR);
    const b = new BootRecord(file, boot(BOOT_B));
    expect([...b.all].sort()).toEqual(['db1', 'web1']);
    expect(b.byTimeAlone).toContain('judged by its time alone, used');
    expect(idLine(file)).toContain(BOOT_B);

    // the same rewrite, the id file's mtime newer than the record's (a clock stepped back): still not paired
    new BootRecord(file, boot(BOOT_A));
    olderAgentWrites(file, ['db1', 'web1', 'web2']);
    setMtime(file, STARTED - HOUR);
    setMtime(bootIdFileOf(file), STARTED + HOUR);
    const c = new BootRecord(file, boot(BOOT_A));
    expect([...c.all]).toEqual([]);
    expect(c.earlierBoot).toContain('judged by its time alone');
  });

  it('an id file that is not one is taken as absent and named, never keeping the record from use', () => {
    const file = recordFile();
    olderAgentWrites(file, ['web1']);
    setMtime(file, STARTED + HOUR);
    writeFileSync(bootIdFileOf(file), `../x sha256:${'0'.repeat(64)}\n`);
    const bad = new BootRecord(file, boot(BOOT_B));
    expect([...bad.all]).toEqual(['web1']);
    expect(bad.problem).toBeNull();
    expect(bad.idFileProblem).toBe(`${bootIdFileOf(file)}: not a boot id file (one line: a boot id, "sha256:" and the record's digest); the boot of the record is judged without it`);
    // stamped over: the id file is this build's again
    expect(idLine(file)).toContain(BOOT_B);

    olderAgentWrites(file, ['web1']);
    setMtime(file, STARTED + HOUR);
    const target = join(s.dir('outside'), 'id');
    writeFileSync(target, `${BOOT_B} sha256:${'0'.repeat(64)}\n`);
    const idFile = bootIdFileOf(file);
    rmSync(idFile);
    symlinkSync(target, idFile);
    const linked = new BootRecord(file);
    expect([...linked.all]).toEqual(['web1']);
    expect(linked.idFileProblem).toContain('symbolic link');
  });

  it('a FIFO as the id file does not block the daemon', async () => {
    const file = recordFile();
    olderAgentWrites(file, ['web1']);
    mkfifo(bootIdFileOf(file));
    const out = await runBounded(s.dir('child'), ['boot-record', file]);
    expect(out.timedOut).toBe(false);
    expect(JSON.parse(out.stdout)).toEqual({ handled: ['web1'] });
  });

  it('refuses a boot id that is not one', () => {
    const file = recordFile();
    writeFileSync(file, JSON.stringify({ bootId: '../x', handled: ['web1'] }));
    const b = new BootRecord(file, boot(BOOT_A, true));
    expect([...b.all]).toEqual([]);
    expect(b.problem).toContain('bootId');
  });
});
