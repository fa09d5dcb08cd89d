import type { XhError } from '../../shared/errors.js';
import { err, ok, type Result } from '../../shared/result.js';

/** The hosts each DRBD resource's file names, or why it could not be read. */
export type ResourceHosts = ReadonlyMap<string, { readonly hosts: readonly string[]; readonly file: string } | { readonly problem: string }>;

/**
 * --home for a domU on DRBD must be a host its resources' .res files name, spelled as they spell
 * it: a home that holds no replica could never take it back, and a ledger naming one (or "XEN1"
 * for xen1) left the domU unable to go home without editing ledger.json by hand. A domU without
 * DRBD disks (no resources) may have any home.
 */
export function homeAmongReplicas(name: string, home: string, resources: ResourceHosts): Result<string, XhError> {
  let spelled = home;
  for (const [r, h] of resources) {
    if (!('hosts' in h)) return err({ code: 'XH_ERR_CONFIG', message: `cannot tell whether ${home} holds a replica of ${name}'s DRBD resource ${r}: ${h.problem}` });
    const match = h.hosts.find((x) => x.toLowerCase() === home.toLowerCase());
    if (match === undefined) return err({ code: 'XH_ERR_REFUSED', message: `--home ${home}: ${home} holds no replica of ${name}'s DRBD resource ${r} (${h.file} names ${h.hosts.join(', ') || 'no host'}): ${name}'s home is one of those; nothing was changed` });
    spelled = match;
  }
  return ok(spelled);
}
