import { connectionAsPrinted, DRBD_LINK_DOWN, hostlessPeerName } from './drbd-words.js';
import type { LinkDrbdResource } from './protocol/agent-link-state.js';

/**
 * Whether a DRBD resource may carry a live migration between two Dom0s: one judgement for the
 * agent's preflight (before it migrates) and the controller's plans (before they list the move),
 * so a plan never shows a move the agent would refuse, and both say why in the same words.
 *
 * The view is what both sides have: the agent's DrbdResourceView (typed words) and the link's
 * LinkDrbdResource (words left open, so a newer DRBD's word reaches the controller). Words are
 * plain strings here: an unknown word is never "in step", so it refuses.
 */
export interface DrbdReadinessPeer {
  /** the peer's host name (DRBD 9), or literally "peer" (8.4, one peer) */
  readonly name: string;
  readonly connection: string | null;
  readonly disk: string | null;
  readonly replication: string | null;
  /** how far a resync is (DRBD's `done:`); null: none, or not known (the link does not carry it) */
  readonly syncedPercent: number | null;
  /** true: diskless by its configuration (DRBD 9's `peer-client:yes`): no failed disk */
  readonly client?: true;
}

export interface DrbdReadinessView {
  readonly name: string;
  /** false when the resource is not configured in the kernel */
  readonly up: boolean;
  readonly disk: string | null;
  /** true: this side's disk is Diskless by its configuration (DRBD 9's `client:yes`); absent where not known (the link does not carry it) */
  readonly client?: true;
  readonly peers: readonly DrbdReadinessPeer[];
}

// an online verify reads both disks while they stay UpToDate: nothing is behind
export const DRBD_IN_STEP: ReadonlySet<string> = new Set(['Established', 'Connected', 'VerifyS', 'VerifyT']);
const IN_STEP = DRBD_IN_STEP;
const LINK_DOWN: ReadonlySet<string> = DRBD_LINK_DOWN;
const TRYING: ReadonlySet<string> = new Set(['Connecting', 'WFConnection']);
const NO_DISK: ReadonlySet<string> = new Set(['Diskless', 'Failed', 'Detaching']);
/** the README's runbook for a disk DRBD detached */
export const FAILED_DISK_SECTION = 'A failed disk under DRBD';
/** the README's runbook for a Dom0 gone with what it ran */
export const DEAD_DOM0_SECTION = 'A Dom0 died with its own domUs on it';
/** the README's runbook for a resource written on both sides */
export const SPLIT_BRAIN_SECTION = 'DRBD split brain';

/**
 * The connection of V towards OTHER, by the kernel's names alone: named so (DRBD 9), or the only
 * one when it names no host (8.4 calls its one connection "peer"). A DRBD 9 kernel that lost its
 * connection to OTHER (`drbdsetup del-peer`, a peer added to the .res without `drbdadm adjust`)
 * lists only its connection to a third node, whose state says nothing of OTHER. The .res file
 * cannot tell that a connection of another name is OTHER's: it may not be what the kernel runs
 * (edited without an adjust: a host taken out of it leaves its connection, under the host's name,
 * looking like a `connection NAME` section's), so a connection named by such a section (drbd-utils
 * before 9.22) does not stand for OTHER either, and the move waits for a connection named OTHER.
 */
export function peerTowards<P extends DrbdReadinessPeer>(v: { readonly peers: readonly P[] }, other: string): P | undefined {
  const named = v.peers.find((p) => p.name === other);
  if (named !== undefined || v.peers.length !== 1) return named;
  const only = v.peers[0];
  return only !== undefined && hostlessPeerName(only.name) ? only : undefined;
}

/** Why a resource is not ready, in words and as facts a planner can act on. */
export interface DrbdNotReady {
  /** the state word the sentence names (StandAlone, WFConnection, SyncTarget, Connected …), or "down" when not up */
  readonly state: string;
  /**
   * DRBD gets there by itself (a resync or catch-up, a link re-established, a disk catching up):
   * worth waiting for. False: a person must act (a split brain or other StandAlone, a resource not
   * up, no connection to that host, a disk Diskless or Failed where the domU would run).
   */
  readonly clearsUp: boolean;
  /** the resource, the host, the state seen and the fix, as one sentence */
  readonly text: string;
}

/**
 * Which end of the move HOST is: the Dom0 the domU leaves (source) or the one it goes to (target).
 * It matters only for a disk that is gone (Diskless, Failed): leaving such a Dom0 is the way off
 * it, going to one would run the domU on the other Dom0's disk over the network.
 */
export type MoveSide = 'source' | 'target';

/**
 * How HOST's side of RESOURCE stands towards OTHER, as the sentences of drbdNotReady open: "r0 on
 * xen1 is WFConnection (disk UpToDate, peer DUnknown)". A plan names both ends of a pair with it:
 * a link cut shows differently on each (StandAlone on one, WFConnection on the other), and the fix
 * is not the same.
 */
export function drbdSideSeen(host: string, other: string, v: DrbdReadinessView, resHosts: readonly string[] = []): string {
  const r = v.name;
  const disk = v.disk ?? 'unknown';
  if (!v.up) return `${r} on ${host} is not up`;
  // status lists no connection at all for a StandAlone 8.4 resource (the lab's split brain captures)
  if (v.peers.length === 0) return `${r} on ${host} is StandAlone (disk ${disk}, peer DUnknown)`;
  const peer = peerTowards(v, other);
  if (!peer) {
    // a peer named by no host of the .res (a `connection NAME` section's, or a host taken out of the file since the last adjust)
    const unnamed = v.peers.filter((p) => !resHosts.includes(p.name)).map((p) => p.name);
    const byName = unnamed.length === 0 || resHosts.length === 0 ? '' : `; ${unnamed.join(', ')} ${unnamed.length === 1 ? 'is' : 'are'} named after no host of its .res file, and only a connection named ${other} is taken for one reaching it`;
    return `${r} on ${host} has no connection to ${other} (its peers: ${v.peers.map((p) => p.name).join(', ')}; disk ${disk}${byName})`;
  }
  const label = v.peers.length > 1 ? `peer ${peer.name}` : 'peer';
  return `${r} on ${host} is ${printedState(peer)} (disk ${disk}, ${label} ${peer.disk ?? 'unknown'})`;
}

/** A connection's state in the words its DRBD prints (8.4's WFConnection, WFReportParams), its replication while Connected. */
function printedState(peer: DrbdReadinessPeer): string {
  // terse `drbdadm status` prints no connection word while Connected
  const printed = connectionAsPrinted(peer.name, peer.connection ?? 'Connected', peer.replication);
  return printed === 'Connected' && peer.replication !== null && peer.replication !== 'Established' ? peer.replication : printed;
}

/**
 * Why RESOURCE, as HOST sees it, must not carry a live migration to (or from) OTHER; null when it may.
 * The target's block-drbd promotes its replica whatever the link says (allow-two-primaries), so a
 * disconnected, split-brained or resyncing pair would run the domU on a disk missing the writes
 * since the disconnect. Safe: Connected with both disks UpToDate, or Connected with the target's
 * disk UpToDate and the source's gone (DRBD detached it after an I/O error and serves the source
 * over the network from the target's disk, which then holds the only good copy). DRBD 9: the
 * connection to OTHER (DRBD 8.4 names its one peer "peer").
 */
export function drbdNotReady(host: string, other: string, v: DrbdReadinessView, side: MoveSide, resHosts: readonly string[] = []): DrbdNotReady | null {
  const r = v.name;
  const wait = 'wait for UpToDate/UpToDate before migrating';
  const needsPerson = (state: string, text: string): DrbdNotReady => ({ state, clearsUp: false, text });
  const seen = drbdSideSeen(host, other, v, resHosts);
  if (!v.up) return needsPerson('down', `${seen}: bring it up (\`drbdadm up ${r}\`), connect it and ${wait}`);
  const peer = peerTowards(v, other);
  const disk = v.disk ?? 'unknown';
  const [source, target] = side === 'source' ? [host, other] : [other, host];
  const sourceDisk = side === 'source' ? disk : peer?.disk ?? 'unknown';
  const targetDisk = side === 'source' ? peer?.disk ?? 'unknown' : disk;
  const [sourceClient, targetClient] = side === 'source' ? [v.client === true, peer?.client === true] : [peer?.client === true, v.client === true];
  // a client's Diskless is its configuration: nothing to replace or attach, it never holds a copy
  const clientOf = (h: string): string => `${h} is a DRBD client of ${r} (diskless by its configuration, \`client:yes\` there), holding no copy of it`;
  // a detached or failed disk stays so until someone attaches it again: no "wait" for it
  const until = targetClient
    ? `move the domU to a Dom0 that holds a disk of ${r} instead: on ${target} it would run over the network on another Dom0's disk, unguarded`
    : NO_DISK.has(targetDisk)
    ? `replace ${target}'s disk if it failed and attach it (\`drbdadm attach ${r}\` on ${target}; README, section "${FAILED_DISK_SECTION}"), then ${wait}, or move the domU to a Dom0 whose disk is UpToDate`
    : NO_DISK.has(sourceDisk)
      ? `migrate once ${target}'s disk is UpToDate and Connected (${sourceClient ? clientOf(source) : `${source}'s ${sourceDisk} disk does not come back by itself: README, section "${FAILED_DISK_SECTION}"`})`
      : wait;
  const standAlone = `reconnect it (\`drbdadm connect ${r}\` on both, resolving a split brain first) and ${until}`;
  if (v.peers.length === 0) return needsPerson('StandAlone', `${seen}: ${standAlone}`);
  // the kernel lacks a connection the .res file names: only an adjust makes it, a connect has none to bring up
  const connectIt = resHosts.includes(other) ? `\`drbdadm adjust ${r}\` adds the connection its .res file names` : `\`drbdadm connect ${r}\``;
  if (!peer) return needsPerson('no connection', `${seen}: connect it (${connectIt}) and ${until}`);
  // terse `drbdadm status` prints no connection word while Connected
  const conn = peer.connection ?? 'Connected';
  // an 8.4 resource's state in 8.4's words (WFConnection, WFReportParams), as /proc/drbd and `drbdadm cstate` show it to its operator
  const state = printedState(peer);
  const clearsUp = !NO_DISK.has(disk) && !NO_DISK.has(peer.disk ?? 'unknown');
  if (conn === 'StandAlone') return needsPerson(state, `${seen}: ${standAlone}`);
  // this side already keeps trying: `drbdadm connect` here changes nothing, the other end or the wire is the fault
  if (TRYING.has(conn)) return { state, clearsUp, text: `${seen}: DRBD is trying to reach ${other}: check the network between them and that ${other} is up and has ${r} up (\`drbdadm status ${r}\` there), then ${until}` };
  if (LINK_DOWN.has(conn)) return { state, clearsUp, text: `${seen}: its link to ${other} is down; restore it (\`drbdadm connect ${r}\` wherever it is StandAlone, resolving a split brain first) and ${until}` };
  if (!IN_STEP.has(state)) {
    const done = peer.syncedPercent !== null ? `, ${peer.syncedPercent}% done` : '';
    return { state, clearsUp, text: `${seen}: its disks are not in step yet (a resync or catch-up is under way${done}); ${until} (\`drbdadm status ${r}\`)` };
  }
  if (targetClient) return { state, clearsUp, text: `${seen}: ${clientOf(target)}: ${until}` };
  if (NO_DISK.has(targetDisk)) return { state, clearsUp, text: `${seen}: ${target}'s disk of ${r} is ${targetDisk}, so there the domU would run on ${source}'s disk over the network: ${until}` };
  // the way off a gone disk: the target's disk holds the only good copy, so it alone must be UpToDate
  if (NO_DISK.has(sourceDisk)) return targetDisk === 'UpToDate' ? null : { state, clearsUp, text: `${seen}: ${source}'s disk is ${sourceDisk}, so ${target}'s holds the only copy and must be UpToDate to take the domU; it does not get there by itself: see \`drbdadm status ${r}\` on both` };
  if (v.disk !== 'UpToDate' || peer.disk !== 'UpToDate') return { state, clearsUp, text: `${seen}: both disks must be UpToDate; ${wait} (\`drbdadm status ${r}\` shows why not)` };
  return null;
}

/** The sentence alone: what the agent's preflight refuses with. */
export const notReadyForLiveMigration = (host: string, other: string, v: DrbdReadinessView, side: MoveSide, resHosts: readonly string[] = []): string | null =>
  drbdNotReady(host, other, v, side, resHosts)?.text ?? null;

/**
 * A resource as an agent reports it over the link, as the judgement reads it. The link reports a
 * resource that is not up with no role (agent/core/host-state.ts), and carries no resync percentage.
 */
export const readinessOfLink = (r: LinkDrbdResource): DrbdReadinessView => ({
  name: r.name,
  up: r.role !== null,
  disk: r.disk,
  ...(r.client === true ? { client: true as const } : {}),
  peers: r.peers.map((p) => ({ name: p.name, connection: p.connection, disk: p.disk, replication: p.replication, syncedPercent: null, ...(p.client === true ? { client: true as const } : {}) })),
});
