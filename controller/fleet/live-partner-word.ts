import type { LinkDrbdResource } from '../../shared/protocol/agent-link-state.js';
import type { FleetIndex } from './fleet-index.js';
import { isReachable, type Freshness } from './host-record.js';
import { nameOrder } from '../../shared/name-order.js';

/**
 * A silent host's last report still counts for a DRBD resource Primary on both partners
 * (conflicts.ts: a partitioned Dom0 may still hold it), but not against its partner's live word.
 * A migration's source that falls silent mid-copy leaves a last report with both ends Primary
 * (allow-two-primaries); once the move has failed or been torn down, the target reports the
 * resource Secondary again. Read as a split brain, that old report would send an operator to
 * `--discard-my-data` on data never split; what remains to say, that the host is silent, its
 * unreachable-host alert says.
 *
 * Whether LIVE (reachable) contradicts SILENT's (unreachable) last word that RESOURCE is Primary on
 * both: LIVE reports the resource and is not Primary on it, or is connected to SILENT and sees it
 * Secondary. A resource LIVE does not report (an agent older than standby reports) says nothing.
 */
export function liveWordOutranks(index: FleetIndex, resource: string, silent: string, live: string, fresh: Freshness): boolean {
  const s = index.record(silent);
  const l = index.record(live);
  if (s === undefined || l === undefined || isReachable(s, fresh.now, fresh.staleAfterMs) || !isReachable(l, fresh.now, fresh.staleAfterMs)) return false;
  const res = l.state?.drbd.resources.find((r) => r.name === resource);
  if (res === undefined) return false;
  if (res.role !== 'Primary') return true;
  const peer = peerNamed(index, res.peers, silent);
  return peer !== undefined && peer.connection === 'Connected' && peer.role === 'Secondary';
}

type LinkDrbdPeer = LinkDrbdResource['peers'][number];

/** HOST among PEERS: by name (DRBD 9), or the one peer DRBD 8.4 calls "peer" (no Dom0 of the fleet by that name). */
function peerNamed(index: FleetIndex, peers: readonly LinkDrbdPeer[], host: string): LinkDrbdPeer | undefined {
  const named = peers.find((p) => p.name === host);
  if (named !== undefined) return named;
  const only = peers.length === 1 ? peers[0] : undefined;
  return only !== undefined && index.record(only.name) === undefined ? only : undefined;
}

/** A reachable WITNESS whose DRBD is connected to a silent host now, on RESOURCE, seeing it ROLE. */
export interface LiveLink {
  readonly witness: string;
  readonly resource: string;
  readonly role: string;
}

/**
 * Whether a reachable host's DRBD is connected now to SILENT (unreachable) on one of RESOURCES:
 * then SILENT is up, its agent alone silent, and what its last report holds may well still hold.
 * A finding resting on that report must not say it may be gone with a dead Dom0: a Dom0 taken for
 * dead while it runs its domUs is how a second copy gets started beside them. On DRBD 8.4 the
 * peer is "peer": it is SILENT when SILENT's own last report holds that resource. The first such
 * witness by name; null when none is.
 */
export function liveLinkTo(index: FleetIndex, resources: readonly string[], silent: string, fresh: Freshness): LiveLink | null {
  const s = index.record(silent);
  if (s === undefined || isReachable(s, fresh.now, fresh.staleAfterMs)) return null;
  const held = new Set((s.state?.drbd.resources ?? []).map((r) => r.name));
  // the first witness by name, not the first the index met: the same fleet words its alerts the same
  let first: LiveLink | null = null;
  for (const l of index.hostRecords()) {
    if (l.host === silent || (first !== null && nameOrder(l.host, first.witness) > 0) || !isReachable(l, fresh.now, fresh.staleAfterMs)) continue;
    for (const res of l.state?.drbd.resources ?? []) {
      if (!resources.includes(res.name)) continue;
      const peer = peerNamed(index, res.peers, silent);
      if (peer === undefined || peer.connection !== 'Connected' || (peer.name !== silent && !held.has(res.name))) continue;
      first = { witness: l.host, resource: res.name, role: peer.role ?? 'Unknown' };
      break;
    }
  }
  return first;
}

/**
 * A reachable Dom0 whose DRBD reports its link to SILENT (unreachable) down now, on one of
 * RESOURCES: its name, the first such (by name); null when none does. With no live link to SILENT
 * beside it (liveLinkTo), the Dom0 itself is gone, or cut off, not only its agent.
 */
export function cutLinkTo(index: FleetIndex, resources: readonly string[], silent: string, fresh: Freshness): string | null {
  const s = index.record(silent);
  if (s === undefined || isReachable(s, fresh.now, fresh.staleAfterMs)) return null;
  const held = new Set((s.state?.drbd.resources ?? []).map((r) => r.name));
  const witnesses = [...index.hostRecords()].filter((l) => l.host !== silent && isReachable(l, fresh.now, fresh.staleAfterMs)).sort((a, b) => nameOrder(a.host, b.host));
  for (const l of witnesses) {
    for (const res of l.state?.drbd.resources ?? []) {
      const peer = resources.includes(res.name) ? peerNamed(index, res.peers, silent) : undefined;
      if (peer !== undefined && peer.connection !== 'Connected' && (peer.name === silent || held.has(res.name))) return l.host;
    }
  }
  return null;
}

export interface DrbdWitness {
  /** a reachable Dom0 linked to SILENT now */
  readonly up: LiveLink | null;
  /** a reachable Dom0 whose link to SILENT is down now */
  readonly cut: string | null;
}

/** What SILENT's DRBD peers heard now say of it, on the resources of its last report. */
export function drbdWitness(index: FleetIndex, silent: string, fresh: Freshness): DrbdWitness {
  const rs = (index.record(silent)?.state?.drbd.resources ?? []).map((r) => r.name);
  return { up: liveLinkTo(index, rs, silent, fresh), cut: cutLinkTo(index, rs, silent, fresh) };
}
