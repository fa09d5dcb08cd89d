import { join } from 'node:path';
import * as z from 'zod';
import { readRegularFileSync } from '../../shared/fs/regular-file.js';
import { writeOwnFile } from './atomic-write.js';

export const INSTANCE_FILE = 'controller-instance';

const InstanceSchema = z.string().regex(/^[0-9a-f]{8}$/, '8 hex digits');

/**
 * The owner name this controller gives the Dom0s' maintenance flags: its host name and port, and
 * an instance id of its own. Host and port alone named two controllers as one: a standby in a
 * container or a machine image sharing the first's host name and port, or two controllers of a
 * test bed, were the same owner to the agents, so either could renew the other's live lease and
 * run the same drain beside it. The id is kept in DIR (the controller's writable state dir) so a
 * restarted controller stays the owner of what it held and continues it at once.
 */
export const controllerIdentity = (hostname: string, port: number, instance: string): string => `xenherd-controller@${hostname}:${port}/${instance}`;

/**
 * The instance id kept in DIR/controller-instance, made with FRESH (8 hex digits) and written
 * there when there is none. One that cannot be read or kept is a new one for this run only, with
 * the problem said: the controller then waits out its own earlier leases after a restart, as a
 * standby would, rather than share an owner name with another controller.
 */
export function controllerInstance(dir: string, fresh: () => string): { readonly id: string; readonly problem: string | null } {
  const file = join(dir, INSTANCE_FILE);
  const read = readRegularFileSync(file);
  if (read.ok) {
    const kept = InstanceSchema.safeParse(read.value.trim());
    if (kept.success) return { id: kept.data, problem: null };
  } else if (read.error.errno !== 'ENOENT') {
    return { id: fresh(), problem: `${read.error.message}: a new instance id for this run only` };
  }
  const id = fresh();
  const w = writeOwnFile(file, `${id}\n`);
  if (!w.ok) return { id, problem: `${w.error.message}: the instance id ${id} is this run's only` };
  return { id, problem: read.ok ? `${file} held no instance id (8 hex digits): a new one is kept there` : null };
}
