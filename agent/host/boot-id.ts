import { randomUUID } from 'node:crypto';
import type { HostFiles } from './files.js';

/**
 * The kernel's boot id (changes with every boot): tells the controller a rebooted Dom0 from an
 * agent that merely reconnected. Without one (no /proc), a fresh id per agent start.
 */
export async function bootId(files: HostFiles): Promise<string> {
  const r = await files.readText('/proc/sys/kernel/random/boot_id');
  const id = r.ok ? r.value.trim() : '';
  return /^[A-Za-z0-9-]{1,64}$/.test(id) ? id : randomUUID();
}

/**
 * When this boot began, ms since the epoch on the system clock: now − /proc/uptime (else
 * /proc/stat's btime, whole seconds); null where the kernel says neither. For judging whether a
 * file was written in this boot by its mtime, when nothing better says so (boot-record.ts).
 * NOWMS is passed in: time comes from the caller's clock.
 */
export async function bootStartMs(files: HostFiles, nowMs: number): Promise<number | null> {
  const up = await files.readText('/proc/uptime');
  const secs = up.ok ? /^([0-9]+(?:\.[0-9]+)?)\s/.exec(up.value)?.[1] : undefined;
  if (secs !== undefined) return nowMs - Math.round(Number(secs) * 1000);
  const stat = await files.readText('/proc/stat');
  const btime = stat.ok ? /^btime ([0-9]+)$/m.exec(stat.value)?.[1] : undefined;
  return btime !== undefined ? Number(btime) * 1000 : null;
}
