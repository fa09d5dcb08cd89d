import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BootRecord } from '../../../agent/run/boot-record.js';
import { scratch } from '../adapters/hostile-fs.js';

// The record of the domUs handled since boot may live outside a tmpfs (controlSocket under
// /var/lib/xenherd): after a reboot it must not keep every domU from starting. It carries the
// boot id, and only this boot's record is used.

const s = scratch();
afterEach(() => s.cleanup());

const recordFile = (): string => {
  const d = join(s.dir('boot'), 'var', 'lib', 'xenherd');
  mkdirSync(d, { recursive: true, mode: 0o700 });
  return join(d, 'autostart-boot.json');
};
const BOOT_A = '6f1c2a9e-0b7d-4c55-9e0b-1f2d3c4b5a6e';
const BOOT_B = 'a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d';
const onDisk = (file: string): unknown => JSON.parse(readFileSync(file, 'utf8'));

describe('BootRecord and the boot it belongs to', () => {
  it('a record of an earlier boot is not used after a reboot, and says so', () => {
    const file = recordFile();
    // boot A: the agent starts, the saver (as the effect runner's port does) records web1
    new BootRecord(file, { bootId: BOOT_A, emptiedByBoot: false });
    expect(new BootRecord(file).add('web1').ok).toBe(true);
    expect(onDisk(file)).toEqual({ bootId: BOOT_A, handled: ['web1'] });
    // an agent restart within boot A still knows web1
    expect([...new BootRecord(file, { bootId: BOOT_A, emptiedByBoot: false }).all]).toEqual(['web1']);
    // power cycle: boot B
    const b = new BootRecord(file, { bootId: BOOT_B, emptiedByBoot: false });
    expect([...b.all]).toEqual([]);
    expect(b.problem).toBeNull();
    expect(b.earlierBoot).toContain(file);
    expect(b.earlierBoot).toContain(BOOT_A);
    // stamped with boot B at once: what the saver adds now belongs to boot B
    expect(new BootRecord(file).add('db1').ok).toBe(true);
    expect(onDisk(file)).toEqual({ bootId: BOOT_B, handled: ['db1'] });
    expect([...new BootRecord(file, { bootId: BOOT_B, emptiedByBoot: false }).all]).toEqual(['db1']);
  });

  it('a record without a boot id (an older agent) is used only in a dir every boot empties', () => {
    const file = recordFile();
    writeFileSync(file, JSON.stringify({ handled: ['web1'] }));
    const outside = new BootRecord(file, { bootId: BOOT_A, emptiedByBoot: false });
    expect([...outside.all]).toEqual([]);
    expect(outside.earlierBoot).toContain('without a boot id');

    writeFileSync(file, JSON.stringify({ handled: ['web1'] }));
    const inRun = new BootRecord(file, { bootId: BOOT_A, emptiedByBoot: true });
    expect([...inRun.all]).toEqual(['web1']);
    expect(inRun.earlierBoot).toBeNull();
    // stamped: the next boot will not mistake it for its own
    expect(onDisk(file)).toEqual({ bootId: BOOT_A, handled: ['web1'] });
  });

  it('refuses a boot id that is not one', () => {
    const file = recordFile();
    writeFileSync(file, JSON.stringify({ bootId: '../x', handled: ['web1'] }));
    const b = new BootRecord(file, { bootId: BOOT_A, emptiedByBoot: true });
    expect([...b.all]).toEqual([]);
    expect(b.problem).toContain('bootId');
  });
});
