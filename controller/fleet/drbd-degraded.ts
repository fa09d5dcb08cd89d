import { FAILED_DISK_SECTION } from '../../shared/drbd-readiness.js';
import { connectionAsPrinted, hostlessPeerName } from '../../shared/drbd-words.js';
import type { LinkDrbdResource } from '../../shared/protocol/agent-link-state.js';
import { CHECK_TEXT_MAX } from '../../shared/protocol/ctl-check.js';
import { reachableWithState, type CheckProblem, type ReportedRecord } from './check-conditions.js';
import type { FleetIndex } from './fleet-index.js';
import { isReachable, type Freshness } from './host-record.js';
import { cutWaits } from './drbd-cut-waits.js';
import type { DownWithUnreported } from './down-with-unreported.js';
import { nameOrder } from '../../shared/name-order.js';
import { homeOf } from './placement.js';
import { resHostsOn, usersOf, usersRunningOn } from './resource-users.js';
import { splitSides, splitSidesFacts } from './split-sides.js';

/** A resource's peer as DRBD reports it (one of LinkDrbdResource's peers). */
type ReportedPeer = LinkDrbdResource['peers'][number];

/**
 * How check calls a peer. DRBD 9 names each peer after its host. DRBD 8.4 has one peer and no
 * host name for it: "peer" while its connection has a network config, and no name at all for the
 * StandAlone connection `drbdsetup events2` lists to an agent started after a split (captured in
 * test/fixtures/real-xen-4.17/19-split-brain and 20-split-brain-standalone), which the agent
 * names, as any connection the tools print no name for, by node id
 * ("node-id:0", the id 8.4 fakes). So a resource's only peer without a host's name is "the peer".
 */
const hostless = (p: ReportedPeer): boolean => hostlessPeerName(p.name);
const peerCalled = (p: ReportedPeer, only: boolean): string => (only && hostless(p) ? 'the peer' : `peer ${p.name}`);
/**
 * A peer diskless by its configuration (DRBD 9's `peer-client:yes`: a quorum tiebreaker beside
 * two Dom0s holding the data): its Diskless is how it always is, no disk gone, and it holds no copy.
 */
const clientPeer = (p: ReportedPeer): boolean => p.client === true && p.disk === 'Diskless';
/** The reporting Dom0 itself a DRBD client of the resource (DRBD 9's `client:yes`): no disk of it there to fail or attach. */
const clientHere = (res: LinkDrbdResource): boolean => res.client === true && res.disk === 'Diskless';

/** One host's report of one resource that is not well. */
interface Side {
  readonly host: string;
  readonly res: LinkDrbdResource;
  readonly bad: readonly string[];
  /** not connected to its peer: the link, not a disk */
  readonly cut: boolean;
  readonly standAlone: boolean;
  /** the Dom0 at the other end: DRBD 9's peer name when a fleet host, else the one other host the `.res` file names; null if unknown */
  readonly peerHost: string | null;
  /** the fleet's Dom0s at the other end of its cut links: DRBD 9 may have several peers cut at once */
  readonly cutHosts: readonly string[];
}

function sideOf(index: FleetIndex, r: ReportedRecord, res: LinkDrbdResource): Side | null {
  // no role: not up here, or not defined here at all (a config of a domU this Dom0 does not
  // replicate): "not UpToDate, disk unknown, no peer" read as a degraded replica it does not hold
  if (res.role === null) return { host: r.host, res, bad: [`not up (drbdadm up ${res.name} on ${r.host}; \`drbdadm status ${res.name}\` there says when it is not defined)`], cut: false, standAlone: false, peerHost: null, cutHosts: [] };
  const bad: string[] = [];
  if (res.disk !== 'UpToDate' && !clientHere(res)) bad.push(`disk ${res.disk ?? 'unknown'}`);
  const cut = res.peers.filter((p) => p.connection !== null && p.connection !== 'Connected');
  for (const p of res.peers) {
    const who = peerCalled(p, res.peers.length === 1);
    if (cut.includes(p)) bad.push(`${who} not connected (${connectionAsPrinted(p.name, p.connection ?? '', p.replication)})`);
    else if (p.disk !== 'UpToDate' && !clientPeer(p)) bad.push(`${who} ${p.disk ?? 'unknown'}`);
  }
  // DRBD 8.4 lists no peer at all for a StandAlone resource that is up; DRBD 9 names the state
  if (res.peers.length === 0) bad.push(res.disk === null ? 'no peer' : 'no peer connection (StandAlone)');
  if (bad.length === 0) return null;
  const standAlone = (res.peers.length === 0 && res.disk !== null) || cut.some((p) => p.connection === 'StandAlone');
  const named = res.peers.filter((p) => !hostless(p) && !clientPeer(p) && index.record(p.name) !== undefined).map((p) => p.name);
  const others = [...new Set(resHostsOn(index, res.name, r.host))].filter((h) => h !== r.host);
  const peerHost = named.length === 1 ? (named[0] as string) : res.peers.length <= 1 && others.length === 1 ? (others[0] as string) : null;
  const inFleet = (h: string | null): h is string => h !== null && index.record(h) !== undefined;
  const cutHosts = res.peers.length <= 1 ? (cut.length > 0 && inFleet(peerHost) ? [peerHost] : []) : cut.map((p) => p.name).filter((h) => !hostlessPeerName(h) && inFleet(h));
  return { host: r.host, res, bad, cut: standAlone || cut.length > 0, standAlone, peerHost, cutHosts };
}

/** " (db1)": the domUs whose disks the resource is, so a page says which service it is about. */
function usersNote(index: FleetIndex, resource: string, hosts: readonly string[]): string {
  const users = usersOf(index, resource, hosts);
  if (users.length === 0) return '';
  return ` (${users.length > 3 ? `${users.slice(0, 3).join(', ')} and ${users.length - 3} more` : users.join(', ')})`;
}

const SPLIT_HINT = ': nothing replicates; after a split brain, see "DRBD split brain" in the README';

/**
 * TEXT, a StandAlone line of RESOURCE between HOSTS, with what the controller knows of each side
 * (split-sides.ts), of the domU using it when one alone does. Once the victim is made Secondary
 * (the runbook's first step) or when a side was demoted before the link came back, no split brain
 * alert is open to say it, and this line is what the pager shows. Only when a time is known of a
 * side: a home alone beside "no time known" would only lengthen the line. Left off a line it would
 * make longer than check's answer takes: the line and the README's runbook still stand.
 */
function withSplitSides(index: FleetIndex, text: string, resource: string, hosts: readonly string[]): string {
  const users = usersOf(index, resource, hosts);
  const domu = users.length === 1 ? (users[0] ?? null) : null;
  const home = domu === null ? null : homeOf(index, domu).home;
  if (!splitSides(index, domu, home, [resource], hosts).some((s) => s.running !== null || s.started !== null || s.primary.length > 0 || s.wasPrimary.length > 0)) return text;
  const said = `${text}; each side: ${splitSidesFacts(index, domu, home, [resource], hosts)}`;
  return said.length > CHECK_TEXT_MAX ? text : said;
}

/**
 * The Dom0 at a side's other end: up and reporting, unheard (not reachable, or no report since
 * this controller started), or not known (no peer named, or one outside the fleet).
 */
type PeerState = 'reporting' | 'unheard' | 'unknown';

function peerStateOf(index: FleetIndex, fresh: Freshness, s: Side): PeerState {
  const r = s.peerHost === null ? undefined : index.record(s.peerHost);
  if (r === undefined) return 'unknown';
  return r.state !== null && isReachable(r, fresh.now, fresh.staleAfterMs) ? 'reporting' : 'unheard';
}

/** the disk states DRBD leaves only when a person attaches a disk again */
const GONE: ReadonlySet<string> = new Set(['Diskless', 'Failed']);

/**
 * A disk DRBD detached (after an I/O error, or `drbdadm detach`): what runs on it reads and writes
 * over the network on the peer's disk, the only copy now, and no state of DRBD brings the disk
 * back by itself. The way out is to move what runs there to that peer while it is UpToDate, then
 * replace the disk and attach it. A Diskless standby (nothing of it running there) needs only the
 * attach.
 */
function detachedHint(index: FleetIndex, s: Side): string {
  const name = s.res.name;
  const repair = `replace the disk if it failed and \`drbdadm attach ${name}\` on ${s.host} (README, section "${FAILED_DISK_SECTION}")`;
  const running = usersRunningOn(index, name, s.host);
  if (running.length === 0) return `: DRBD detached ${s.host}'s disk of ${name}, so ${s.host} holds no copy: ${repair}`;
  // the Dom0s whose disk is UpToDate: DRBD 9 names each peer, 8.4's one peer is the pair's other host
  const copies = [...new Set(s.res.peers.filter((p) => p.disk === 'UpToDate').flatMap((p) => (hostless(p) ? (s.res.peers.length === 1 && s.peerHost !== null ? [s.peerHost] : []) : index.record(p.name) !== undefined ? [p.name] : [])))].sort(nameOrder);
  const runs = `${running.join(', ')} ${running.length === 1 ? 'runs' : 'run'} on ${s.host}`;
  const to = copies[0];
  if (to === undefined) return `: DRBD detached ${s.host}'s disk of ${name} and ${runs} on no disk UpToDate: ${repair}`;
  const move = running.length === 1 ? `\`xenherdctl migrate ${running[0]} ${to}\`` : `\`xenherdctl migrate NAME ${to}\` for each`;
  const over = copies.length === 1 ? `${to}'s disk over the network, the only copy` : `the disks of ${copies.join(' and ')} over the network`;
  const or = copies.length === 1 ? '' : ` (or ${copies.slice(1).join(' or ')})`;
  return `: DRBD detached ${s.host}'s disk of ${name}; ${runs} on ${over}: move it off (${move}${or}, or \`xenherdctl drain ${s.host}\`), then ${repair}`;
}

/**
 * The other end of a detached disk: this Dom0's disk is UpToDate and its peer's is gone. Its one
 * useful word is that this disk is now the only copy, and that what runs on the peer reads and
 * writes it over this link: disconnecting, demoting or taking the resource down here would take
 * that domU's disk away, so the line says to leave it be and where the repair happens.
 */
function peerDetachedHint(index: FleetIndex, s: Side): string {
  const name = s.res.name;
  const peerHost = s.peerHost ?? 'the peer';
  const running = s.peerHost === null ? [] : usersRunningOn(index, name, s.peerHost);
  const onPeer = running.length === 0 ? '' : `; ${running.join(', ')} ${running.length === 1 ? 'runs' : 'run'} on ${peerHost} over the network on ${s.host}'s disk`;
  return `: ${peerHost}'s disk of ${name} failed or was detached, so ${s.host} holds the only copy${onPeer}: do not disconnect, demote or take down ${name} on ${s.host}; the repair is on ${peerHost} (README, section "${FAILED_DISK_SECTION}")`;
}

const clientNote = (s: Side): string => (clientHere(s.res) ? ', a DRBD client of it (diskless by its configuration: no disk to attach, it holds no copy)' : '');

/**
 * A client's peers are its disk: with none connected and UpToDate, what runs on it has no disk at
 * all, and the repair is on those peers, never an attach here.
 */
function clientHint(index: FleetIndex, s: Side): string {
  const name = s.res.name;
  if (s.res.peers.some((p) => p.connection === 'Connected' && p.disk === 'UpToDate')) return '';
  const running = usersRunningOn(index, name, s.host);
  const runs = running.length === 0 ? '' : `; ${running.join(', ')} ${running.length === 1 ? 'runs' : 'run'} on ${s.host} on no disk`;
  return `: no peer holding a disk of ${name} is connected and UpToDate${runs}: see to the Dom0s that hold its disks (\`drbdadm status ${name}\` there)`;
}

const peerGone = (s: Side): boolean => s.res.disk === 'UpToDate' && s.res.peers.length === 1 && GONE.has(s.res.peers[0]?.disk ?? '');

/**
 * One end's report alone. Its rank puts a real break (both Dom0s heard) before a link whose peer
 * is unknown, and both before one that only waits for an unheard Dom0: with Dom0s powered off,
 * their partners' waiting links would otherwise bury the one cable really cut.
 */
function oneSide(index: FleetIndex, fresh: Freshness, s: Side, downs: ReadonlyMap<string, DownWithUnreported>): CheckProblem {
  const name = s.res.name;
  const waits = s.cut && !s.standAlone ? cutWaits(index, fresh, s.host, s.res, s.cutHosts, downs) : null;
  const hint = s.standAlone
    ? SPLIT_HINT
    : waits !== null
      ? waits.hint
      : clientHere(s.res)
        ? clientHint(index, s)
        : GONE.has(s.res.disk ?? '')
        ? detachedHint(index, s)
        : peerGone(s)
          ? peerDetachedHint(index, s)
          : '';
  const users = usersNote(index, name, s.peerHost === null ? [s.host] : [s.host, s.peerHost]);
  // DRBD 9 beside a peer still connected (a tiebreaker, a third Dom0): which link is cut, not the whole resource
  const cutFrom = s.res.peers.some((p) => p.connection === 'Connected') ? s.res.peers.filter((p) => p.connection !== null && p.connection !== 'Connected' && !hostless(p)).map((p) => p.name) : [];
  const short = s.cut
    ? `DRBD ${name}${users} not connected${cutFrom.length > 0 ? ` to ${cutFrom.join(', ')}` : ''} on ${s.host}`
    : `DRBD ${name}${users} ${s.res.role === null ? 'not up' : 'not UpToDate'} on ${s.host}`;
  const words = (waits?.words ?? []).map((w) => `; ${w}`).join('');
  const said = `DRBD ${name}${users} on ${s.host}${clientNote(s)}: ${s.bad.join(', ')}${hint}${words}`;
  const text = s.standAlone ? withSplitSides(index, said, name, s.peerHost === null ? [s.host] : [s.host, s.peerHost]) : said;
  const problem: CheckProblem = { status: 'WARNING', kind: 'drbd-degraded', subject: `${name} on ${s.host}`, short, text };
  // the cut links' other ends decide the rank; a side whose link is up, its one peer's
  const unknown = waits === null ? peerStateOf(index, fresh, s) === 'unknown' : s.cutHosts.length === 0;
  const rank = waits?.onlyWaits === true ? 2 : unknown ? 1 : 0;
  if (waits === null) return rank === 0 ? problem : { ...problem, rank };
  const { waitsFor, waitsForAll, mayBeDown, lostPrimaries } = waits;
  return { ...problem, ...(rank === 0 ? {} : { rank }), ...(waitsFor === undefined ? {} : { waitsFor }), ...(waitsForAll === undefined ? {} : { waitsForAll }), ...(lostPrimaries.length === 0 ? {} : { lostPrimaries }), ...(mayBeDown === undefined ? {} : { mayBeDown }) };
}

/** Both ends of one link report it cut: one problem, as it is one link down, with what each end says. */
function bothSides(index: FleetIndex, a: Side, b: Side): CheckProblem {
  const name = a.res.name;
  const users = usersNote(index, name, [a.host, b.host]);
  const between = `${a.host} and ${b.host}`;
  const split = a.standAlone || b.standAlone;
  const hint = split ? SPLIT_HINT : `: replication is down; both Dom0s are up and report it, so look at the network between them and at ${name} on each: drbdadm status ${name} on both`;
  const text = `DRBD ${name}${users} between ${between}: on ${a.host} ${a.bad.join(', ')}; on ${b.host} ${b.bad.join(', ')}${hint}`;
  return {
    status: 'WARNING',
    kind: 'drbd-degraded',
    subject: `${name} between ${between}`,
    short: `DRBD ${name}${users} not connected between ${between}`,
    text: split ? withSplitSides(index, text, name, [a.host, b.host]) : text,
  };
}

/**
 * The Dom0 at the other end of S's one link to pair S with: its peer, or, DRBD 9 beside other
 * peers still connected (a third Dom0, a tiebreaker), the one fleet Dom0 it is cut from, so a link
 * between two of three Dom0s that both ends report cut is one problem too. Null: no one link.
 */
const linkEnd = (s: Side): string | null => s.peerHost ?? (s.cutHosts.length === 1 ? (s.cutHosts[0] ?? null) : null);

/**
 * Every DRBD resource a reachable host reports whose disk, or a peer's, is not UpToDate, or that
 * is not connected to a peer. A peer whose connection is not Connected is judged by that alone:
 * whatever disk state the report gives it (one last heard before the link went) replicates nothing.
 * Connection null (not printed: 8.4 in TearDown, or not dumped yet) leaves the judging to the disk.
 * A link both of whose ends report it cut is one problem, not one per end: one cable, one count.
 * DOWNS: what may be down with each Dom0 not heard since the controller started (down-with-unreported.ts).
 */
export function drbdNotUpToDate(index: FleetIndex, fresh: Freshness, downs: ReadonlyMap<string, DownWithUnreported> = new Map()): CheckProblem[] {
  const sides = new Map<string, Side>();
  for (const r of reachableWithState(index, fresh)) {
    for (const res of r.state.drbd.resources) {
      const s = sideOf(index, r, res);
      if (s !== null) sides.set(`${res.name}@${r.host}`, s);
    }
  }
  const out: CheckProblem[] = [];
  for (const s of sides.values()) {
    const at = linkEnd(s);
    const other = at === null ? undefined : sides.get(`${s.res.name}@${at}`);
    if (other === undefined || !s.cut || !other.cut || linkEnd(other) !== s.host) {
      out.push(oneSide(index, fresh, s, downs));
      continue;
    }
    // said once, by the end first in name order
    if (nameOrder(s.host, other.host) < 0) out.push(bothSides(index, s, other));
  }
  return out;
}
