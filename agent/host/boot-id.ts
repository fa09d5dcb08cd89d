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
