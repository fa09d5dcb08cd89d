import type { HostState, LinkDrbdResource } from '../../shared/protocol/agent-link-state.js';

type Drbd = HostState['drbd'];
type Peers = LinkDrbdResource['peers'];

/** Two objects with the same keys holding the same values, by ===; those named in NESTED compared by SAME instead. */
function sameFlat(a: object, b: object, nested?: string, same?: (x: unknown, y: unknown) => boolean): boolean {
  let keys = 0;
  for (const k in a) {
    if (!Object.hasOwn(a, k)) continue;
    keys++;
    const x: unknown = Reflect.get(a, k);
    const y: unknown = Reflect.get(b, k);
    if (!Object.hasOwn(b, k) || (k === nested && same !== undefined ? !same(x, y) : x !== y)) return false;
  }
  for (const k in b) if (Object.hasOwn(b, k)) keys--;
  return keys === 0;
}

const samePeers = (a: unknown, b: unknown): boolean => a === b || (Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((p: unknown, i) => typeof p === 'object' && p !== null && sameFlat(p, b[i] ?? {})));

const sameResource = (a: LinkDrbdResource, b: LinkDrbdResource): boolean => sameFlat(a, b, 'peers', samePeers);

// Made as literals with the schema's keys in its order (as the parse made them), not by spreading:
// frozen objects made by spreading a parsed one got a hidden class each in V8, more than they saved.
function frozenPeer(p: Peers[number]): Peers[number] {
  const { name, role, connection, disk, replication, client } = p;
  const out = client === undefined ? { name, role, connection, disk, replication } : { name, role, connection, disk, replication, client };
  Object.freeze(out);
  return out;
}

function frozenResource(r: LinkDrbdResource, peers: Peers): LinkDrbdResource {
  const { name, role, disk, client } = r;
  const out = client === undefined ? { name, role, disk, peers } : { name, role, disk, client, peers };
  Object.freeze(out);
  return out;
}

/**
 * A host's DRBD section (`drbd`) with every part equal to one it reported before, or to another
 * of this same report, the very object held: a resource unchanged since the last report is that
 * resource, and resources whose peers are alike (a Dom0 of a DRBD pair reports each of its domUs'
 * resources with one and the same peer, its partner, Primary or Secondary) share one frozen peer
 * list. Held as each report parsed them, 2,000 Dom0s' resources carried some 80,000 copies of a
 * few thousand distinct peers, tens of MB. Every value is the one reported, in the order reported;
 * only which object holds it changes, so what is shared is frozen: nobody may change it in place.
 * The table of peer lists lives for one call (this report and the one before it): a Dom0 cannot
 * make it outgrow its own report.
 */
export function withHeldDrbd(drbd: Drbd, before: Drbd | undefined): Drbd {
  if (before !== undefined && drbd === before) return drbd;
  const peerLists = new Map<string, Peers>();
  for (const r of before?.resources ?? []) peerLists.set(JSON.stringify(r.peers), r.peers);
  const heldByName = new Map((before?.resources ?? []).map((r) => [r.name, r] as const));
  let same = before !== undefined && before.availability === drbd.availability && before.resources.length === drbd.resources.length;
  const resources = drbd.resources.map((r, i) => {
    const was = before?.resources[i]?.name === r.name ? before.resources[i] : heldByName.get(r.name);
    if (was !== undefined && sameResource(r, was)) {
      if (was !== before?.resources[i]) same = false;
      return was;
    }
    same = false;
    const key = JSON.stringify(r.peers);
    let peers = peerLists.get(key);
    if (peers === undefined) {
      const list = r.peers.map(frozenPeer);
      Object.freeze(list);
      peerLists.set(key, list);
      peers = list;
    }
    return frozenResource(r, peers);
  });
  if (same && before !== undefined) return before;
  Object.freeze(resources);
  const held = { ...drbd, resources };
  Object.freeze(held);
  return held;
}
