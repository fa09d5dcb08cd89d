import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { bootStartMs } from '../../../agent/host/boot-id.js';
import { hostFiles } from '../../../agent/host/files.js';
import { scratch } from '../adapters/hostile-fs.js';

// When this boot began weighs a boot record of unknown boot by its mtime (agent/run/boot-record.ts):
// read under XENHERD_HOST_ROOT like every host file.

const s = scratch();
afterEach(() => s.cleanup());

const hostWith = (files: Record<string, string>): string => {
  const root = s.dir('host');
  mkdirSync(join(root, 'proc'), { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(root, 'proc', name), text);
  return root;
};
const NOW = Date.parse('2026-12-04T22:00:00Z');

describe('bootStartMs', () => {
  it('is now − /proc/uptime', async () => {
    const root = hostWith({ uptime: '3600.25 7100.50\n', stat: 'cpu 1 2 3\nbtime 1\n' });
    expect(await bootStartMs(hostFiles(root), NOW)).toBe(NOW - 3_600_250);
  });

  it('falls back to /proc/stat btime, and is null where the kernel says neither', async () => {
    expect(await bootStartMs(hostFiles(hostWith({ uptime: 'garbage\n', stat: 'cpu 1 2 3\nbtime 1764835200\nprocesses 9\n' })), NOW)).toBe(1_764_835_200_000);
    expect(await bootStartMs(hostFiles(hostWith({})), NOW)).toBeNull();
  });
});
