import { join } from 'node:path';
import * as z from 'zod';
import { readRegularFileSync } from '../../shared/fs/regular-file.js';
import { printable } from '../../shared/text/printable.js';
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
 * What a new id costs, said with every problem: the agents match owner names with ids only when
 * equal, so what this controller held under its earlier id waits as another controller's would.
 */
const NEW_OWNER =
  "the Dom0s' agents take this controller for a new owner: a maintenance flag it held under its earlier id (a drain, restore or roll its restart cut) is refused to it until that lease lapses";

/** TEXT as a person may read it in a log line: quoted, its first 60 characters, controls escaped. */
const quoted = (text: string): string => `${printable(JSON.stringify(text.slice(0, 60)))}${text.length > 60 ? `… (${text.length} characters)` : ''}`;

/** How to mend a file that cannot be read, by why. */
function readFix(file: string, errno: string): string {
  if (errno === 'EISDIR') return `remove that directory (rmdir ${file}, once what it holds is moved out) and restart the controller: it keeps a new id there`;
  return `make ${file} a regular file the controller's user may read and write, or remove it, and restart the controller: it keeps an id there`;
}

/**
 * The instance id kept in DIR/controller-instance, made with FRESH (8 hex digits) and written
 * there when there is none. One that cannot be read or kept is a new one for this run only, with
 * the problem said: the controller then waits out its own earlier leases after a restart, as a
 * standby would, rather than share an owner name with another controller. A file holding
 * anything else is replaced, its content quoted in the problem, as the only record left of it.
 */
export function controllerInstance(dir: string, fresh: () => string): { readonly id: string; readonly problem: string | null } {
  const file = join(dir, INSTANCE_FILE);
  const read = readRegularFileSync(file);
  if (read.ok) {
    const kept = InstanceSchema.safeParse(read.value.trim());
    if (kept.success) return { id: kept.data, problem: null };
  } else if (read.error.errno !== 'ENOENT') {
    return { id: fresh(), problem: `${read.error.message}: a new instance id for this run only, and for each start until mended; ${NEW_OWNER}; ${readFix(file, read.error.errno)}` };
  }
  const id = fresh();
  const w = writeOwnFile(file, `${id}\n`);
  if (!w.ok) return { id, problem: `${w.error.message}: the instance id ${id} is this run's only, and each start makes another until ${dir} is writable for the controller's user; ${NEW_OWNER}` };
  return { id, problem: read.ok ? `${file} held ${quoted(read.value)}, not an instance id (8 hex digits): replaced by a new one, ${id}; ${NEW_OWNER}` : null };
}
