import type { LinkDrbdResource } from '../../shared/protocol/agent-link-state.js';

/** A host's reported DRBD resources, or undefined when the controller has no report of that host. */
export type DrbdReportOf = (host: string) => readonly LinkDrbdResource[] | undefined;

const named = (resources: readonly LinkDrbdResource[] | undefined, name: string): LinkDrbdResource | undefined => resources?.find((r) => r.name === name);

/**
 * Whether HOST's side of DRBD resource RESOURCE is paired with one of HOLDERS, the other hosts
 * that hold the domU using it: HOST's own report of RESOURCE names one of them as its peer, or
 * one of them reports RESOURCE with HOST as its peer. A resource name alone proves nothing: any
 * agent can report a resource called r1, and a claim it backs would steer another host's domU.
 *
 * DRBD 9 names a peer by its host name. DRBD 8.4 names it "peer" (and an events2 dump may say
 * "node-id:N"), which matches no holder, so an 8.4 pair is shown only by the `.res` hosts the
 * caller already counts: an 8.4 resource has exactly the two hosts its `on` sections name.
 * HOST's DRBD view may be unreadable (no resources reported): the other side's word still counts.
 */
export function pairsWithHolders(host: string, resource: string, holders: Iterable<string>, drbdOf: DrbdReportOf): boolean {
  const others = new Set(holders);
  others.delete(host);
  if (others.size === 0) return false;
  if (named(drbdOf(host), resource)?.peers.some((p) => others.has(p.name)) === true) return true;
  for (const h of others) if (named(drbdOf(h), resource)?.peers.some((p) => p.name === host) === true) return true;
  return false;
}

/**
 * The resources whose peers by name differ between two DRBD reports of one host (a resource
 * appearing or going counts with the peers it names): all pairsWithHolders reads of a report.
 * A disk or connection state moving, the common change, is none of that.
 */
export function peersChanged(before: readonly LinkDrbdResource[] | undefined, after: readonly LinkDrbdResource[] | undefined): string[] {
  const peersOf = (resources: readonly LinkDrbdResource[] | undefined): Map<string, string> => new Map((resources ?? []).map((r) => [r.name, r.peers.map((p) => p.name).join(' ')]));
  const was = peersOf(before);
  const now = peersOf(after);
  const out: string[] = [];
  for (const [r, peers] of now) if ((was.get(r) ?? '') !== peers) out.push(r);
  for (const [r, peers] of was) if (peers !== '' && !now.has(r)) out.push(r);
  return out;
}
