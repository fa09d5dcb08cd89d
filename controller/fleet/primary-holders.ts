import type { LinkDrbdResource } from '../../shared/protocol/agent-link-state.js';

/** RES's peers include one in the Primary role (a loop: this is asked of every Primary resource a host reports). */
export function seesPeerPrimary(res: LinkDrbdResource): boolean {
  for (const p of res.peers) if (p.role === 'Primary') return true;
  return false;
}

/**
 * Which hosts report each DRBD resource Primary, kept as their DRBD sections change. The alert
 * look's "Primary on both" can say something only of a resource two hosts report Primary, or of
 * a holder that sees its peer Primary: a handful in a fleet, where working them out at each look
 * walked every resource of the fleet once a second (40,000 at 2,000 Dom0s), a map of them all made
 * anew each time. Most of those maps outlived a scavenge or two while the look went on in slices,
 * and the copying made the pauses every request waited behind.
 */
export class PrimaryHolders {
  /** resource name → the hosts reporting it Primary: one host as its name, as almost every resource has */
  private readonly holders = new Map<string, string | string[]>();
  /** resource names two or more hosts report Primary */
  readonly shared = new Set<string>();
  /** host → the names of its Primary resources whose peers include one Primary, as it sees them; only hosts with one */
  readonly seeingPeerPrimary = new Map<string, ReadonlySet<string>>();

  /** The hosts reporting RESOURCE Primary, in the order they came to. */
  hostsOf(resource: string): readonly string[] {
    const h = this.holders.get(resource);
    return h === undefined ? [] : typeof h === 'string' ? [h] : h;
  }

  /** HOST's DRBD resources went from BEFORE to AFTER (undefined: no DRBD section, or the host forgotten). */
  note(host: string, before: readonly LinkDrbdResource[] | undefined, after: readonly LinkDrbdResource[] | undefined): void {
    const was = primaryNames(before);
    const now = primaryNames(after);
    for (const name of was) if (!now.has(name)) this.drop(name, host);
    for (const name of now) if (!was.has(name)) this.add(name, host);
    const seeing = new Set<string>();
    // by index: a held DRBD section is frozen (held-drbd.ts), and stepping a frozen array with for-of makes an object per element
    for (let k = 0; k < (after?.length ?? 0); k++) {
      const res = after?.[k];
      if (res !== undefined && res.role === 'Primary' && seesPeerPrimary(res)) seeing.add(res.name);
    }
    if (seeing.size > 0) this.seeingPeerPrimary.set(host, seeing);
    else this.seeingPeerPrimary.delete(host);
  }

  private add(name: string, host: string): void {
    const h = this.holders.get(name);
    if (h === undefined) this.holders.set(name, host);
    else {
      this.holders.set(name, typeof h === 'string' ? [h, host] : [...h, host]);
      this.shared.add(name);
    }
  }

  private drop(name: string, host: string): void {
    const h = this.holders.get(name);
    if (typeof h === 'string' && h === host) this.holders.delete(name);
    if (!Array.isArray(h)) return;
    const left = h.filter((x) => x !== host);
    const only = left.length === 1 ? left[0] : undefined;
    if (left.length === 0) this.holders.delete(name);
    else this.holders.set(name, only ?? left);
    if (left.length < 2) this.shared.delete(name);
  }
}

/** The names of the Primary resources in RESOURCES (a host listing one twice holds it once). */
function primaryNames(resources: readonly LinkDrbdResource[] | undefined): Set<string> {
  const out = new Set<string>();
  for (let k = 0; k < (resources?.length ?? 0); k++) {
    const res = resources?.[k];
    if (res !== undefined && res.role === 'Primary') out.add(res.name);
  }
  return out;
}
