import { DRBD_SYNC_STATES, hostlessPeerName, type DrbdReplicationWord } from '../../shared/drbd-words.js';
import type { LinkDrbdResource } from '../../shared/protocol/agent-link-state.js';
import type { DrbdFlag } from '../../shared/protocol/ctl-drbd.js';
import { spanText } from '../../shared/text/span-text.js';
import type { FleetIndex } from './fleet-index.js';
import type { Freshness, HostRecord } from './host-record.js';
import { liveWordOutranks } from './live-partner-word.js';
import { lostPrimaryText } from './lost-primary.js';
import { downWithUnreportedResourceText, type DownWithUnreported } from './down-with-unreported.js';
import { mayBeMoveStarting } from './move-promotion.js';
import { domusOn } from './resource-users.js';
import { primarySuperseded } from './superseded.js';
import { andList as and } from '../../shared/text/and-list.js';
import { unsettledOf } from './unsettled.js';

/** One Dom0 of a resource's pair as the view reads it: its report of the resource (null: it lists none) and how current that is. */
export interface ViewSide {
  readonly host: string;
  readonly res: LinkDrbdResource | null;
  readonly reachable: boolean;
  readonly ageMs: number | null;
  readonly record: HostRecord | undefined;
}

type Peer = LinkDrbdResource['peers'][number];

const hostless = (p: Peer): boolean => hostlessPeerName(p.name);

/** What FROM's report says of its link to TO: the peer named TO (DRBD 9), or its only, nameless peer (8.4). */
export function peerToward(from: ViewSide, to: string): Peer | undefined {
  const peers = from.res?.peers ?? [];
  const named = peers.find((p) => p.name === to);
  if (named !== undefined) return named;
  const only = peers.length === 1 ? peers[0] : undefined;
  return only !== undefined && hostless(only) ? only : undefined;
}

/** The sides heard now that report their link to S Connected. */
const liveLinksTo = (s: ViewSide, sides: readonly ViewSide[]): ViewSide[] => sides.filter((o) => o !== s && o.res !== null && o.reachable && peerToward(o, s.host)?.connection === 'Connected');

/**
 * S is diskless by its configuration as every side heard now and connected to it reports it
 * (DRBD 9's `peer-client:yes`: a quorum tiebreaker): no copy of the data is kept there to be UpToDate.
 */
export const isClientSide = (s: ViewSide, sides: readonly ViewSide[]): boolean => {
  const links = liveLinksTo(s, sides);
  return links.length > 0 && links.every((o) => peerToward(o, s.host)?.client === true);
};

/** S reports itself Diskless by its configuration (DRBD 9's `client:yes`), or every side heard now and connected to it says so. */
const isClientHere = (s: ViewSide, sides: readonly ViewSide[]): boolean => s.res?.disk === 'Diskless' && (s.res.client === true || isClientSide(s, sides));

/**
 * A side heard now reports its link to S Connected (with S's disk UpToDate when UPTODATE, or S a
 * diskless tiebreaker, which has no disk to be so): S is up and replicating, whatever its agent says.
 */
export const hasLiveLinkTo = (s: ViewSide, sides: readonly ViewSide[], upToDate = false): boolean =>
  liveLinksTo(s, sides).some((o) => !upToDate || peerToward(o, s.host)?.disk === 'UpToDate') || (upToDate && isClientSide(s, sides));

/**
 * Whether S's own report is judged: it is current, or no side heard now is connected to it. A
 * silent side's last word that its link was cut is overtaken by its partner's live link to it.
 */
export const isCounted = (s: ViewSide, sides: readonly ViewSide[]): boolean => s.res !== null && (s.reachable || !hasLiveLinkTo(s, sides));

/** Up and connected to no peer: DRBD 8.4 lists none for a StandAlone resource, 9 names the state. */
export const standAlone = (r: LinkDrbdResource): boolean => r.role !== null && ((r.peers.length === 0 && r.disk !== null) || r.peers.some((p) => p.connection === 'StandAlone'));
const cutPeers = (r: LinkDrbdResource): Peer[] => (r.role === null ? [] : r.peers.filter((p) => p.connection !== 'Connected' && p.connection !== 'StandAlone'));
const syncing = (p: Peer): boolean => p.connection === 'Connected' && p.replication !== null && DRBD_SYNC_STATES.has(p.replication as DrbdReplicationWord);
/** "xen1 (as last reported 95 s ago)" for a side not heard now */
const asOf = (s: ViewSide): string => (s.reachable ? s.host : `${s.host} (as last reported${s.ageMs === null ? '' : ` ${spanText(s.ageMs)} ago`})`);

/**
 * What is not well with one resource (or worth knowing), worst first. Only what is judged counts
 * (isCounted): a silent Dom0's last report its live partner contradicts says nothing of now.
 */
export function drbdFlags(index: FleetIndex, fresh: Freshness, name: string, sides: readonly ViewSide[], downs: ReadonlyMap<string, DownWithUnreported> = new Map()): DrbdFlag[] {
  const counted = sides.filter((s) => isCounted(s, sides));
  const up = counted.filter((s) => s.res?.role !== null);
  const flags: DrbdFlag[] = [];
  const down = counted.filter((s) => s.res?.role === null);
  if (down.length > 0) flags.push({ kind: 'down', text: `not up on ${and(down.map(asOf))} (drbdadm up ${name} there)` });
  flags.push(...primaryFlags(index, fresh, name, sides, up));
  const alone = up.filter((s) => standAlone(s.res as LinkDrbdResource));
  if (alone.length > 0) flags.push({ kind: 'split-brain', text: `StandAlone on ${and(alone.map(asOf))}: DRBD dropped the connection (a split brain) or it was disconnected by hand; see "DRBD split brain" in the README` });
  const cut = up.filter((s) => cutPeers(s.res as LinkDrbdResource).length > 0);
  if (cut.length > 0) flags.push({ kind: 'not-connected', text: `not connected (as ${and(cut.map(asOf))} report${cut.length === 1 ? 's' : ''}): writes do not replicate` });
  flags.push(...lostPrimaryFlags(index, fresh, name, sides, up), ...mayBeDownFlags(name, sides, downs));
  const sync = up.filter((s) => s.reachable && (s.res as LinkDrbdResource).peers.some(syncing));
  if (sync.length > 0) flags.push({ kind: 'syncing', text: `resync under way (${and(sync.map((s) => `${s.host} ${(s.res as LinkDrbdResource).peers.find(syncing)?.replication}`))}; its progress is not reported)` });
  const clients = up.filter((s) => s.reachable && isClientHere(s, sides));
  const disks = up.filter((s) => s.reachable && s.res?.disk !== 'UpToDate' && !clients.includes(s)).map((s) => `${s.host} ${s.res?.disk ?? 'unknown'}`);
  if (disks.length > 0) flags.push({ kind: 'not-uptodate', text: `not UpToDate: ${disks.join(', ')}` });
  if (clients.length > 0) flags.push({ kind: 'client', text: `${and(clients.map((s) => s.host))} ${clients.length === 1 ? 'is a DRBD client' : 'are DRBD clients'} of ${name} (diskless by configuration, \`client:yes\`): no copy is kept there and nothing is to attach; what runs there reads and writes over the network on a peer's disk` });
  for (const s of sides) {
    if (s.reachable && s.res !== null) continue;
    const by = liveLinksTo(s, sides).map((o) => o.host);
    const client = isClientSide(s, sides);
    const linked = by.length > 0 ? `; ${and(by)} ${by.length === 1 ? 'is' : 'are'} connected to it now: ${client ? 'it is up' : 'the Dom0 is up'}` : '';
    const why = client && s.record === undefined ? `${s.host}, a diskless DRBD node by its configuration as ${and(by)} report${by.length === 1 ? 's' : ''} it (a tiebreaker: it holds no copy), is not in this controller's fleet` : unreportedWhy(s, name);
    flags.push(s.res !== null ? { kind: 'stale', text: `${s.host} unheard: its state as last reported${s.ageMs === null ? '' : ` ${spanText(s.ageMs)} ago`} (stale)${linked}` } : { kind: 'unreported-side', text: `${why}${linked}` });
  }
  return flags;
}

/**
 * A Dom0 unheard whose last report held NAME Primary, cut off from every side heard now, none of
 * them Primary: said as what it is (lost-primary.ts), beside the bare not-connected.
 */
function lostPrimaryFlags(index: FleetIndex, fresh: Freshness, name: string, sides: readonly ViewSide[], up: readonly ViewSide[]): DrbdFlag[] {
  const live = up.filter((s) => s.reachable && s.res !== null);
  if (live.length === 0 || live.some((s) => s.res?.role === 'Primary')) return [];
  return sides.flatMap((p) => {
    if (p.reachable) return [];
    const by = live.filter((o) => {
      const c = peerToward(o, p.host)?.connection;
      return c !== undefined && c !== null && c !== 'Connected';
    });
    const first = by[0];
    const text = first === undefined ? null : lostPrimaryText(index, fresh, by.map((o) => o.host), first.res as LinkDrbdResource, p.host);
    return text === null ? [] : [{ kind: 'primary-unheard', text }];
  });
}

/**
 * A Dom0 not heard since the controller started has no last report to read a role from: when its
 * partners heard now hold NAME Secondary, cut off from it, none Primary, and the domUs on NAME run on
 * no Dom0 that reports (DOWNS, down-with-unreported.ts), those may be down with it. Said beside the
 * bare not-connected, in the words check's line of the resource uses, as lostPrimaryFlags does for
 * a Dom0 whose last report is kept.
 */
function mayBeDownFlags(name: string, sides: readonly ViewSide[], downs: ReadonlyMap<string, DownWithUnreported>): DrbdFlag[] {
  return sides.flatMap((p) => {
    const d = p.reachable ? undefined : downs.get(p.host);
    const text = d === undefined ? null : sides.map((s) => (s.reachable ? downWithUnreportedResourceText(d, name, s.host) : null)).find((t) => t !== null);
    return text === undefined || text === null ? [] : [{ kind: 'may-be-down', text }];
  });
}

/** Why an agent reads no DRBD resource at all (its report's availability), in words. */
const NO_DRBD: Partial<Record<string, string>> = {
  'tools-missing': 'drbd-utils are not installed there',
  'module-not-loaded': 'the drbd module is not loaded there (modprobe drbd)',
  unknown: 'its agent could not read DRBD',
};

/** Why S shows nothing of NAME though its partner or a `.res` file names it. */
function unreportedWhy(s: ViewSide, name: string): string {
  if (s.record === undefined) return `${s.host}, which its partner or .res file names, is not in this controller's fleet`;
  if (s.record.state === null) return `${s.host} has not reported since the controller started${s.reachable ? '' : ' (unreachable)'}`;
  if (!s.reachable) return `${s.host} unheard${s.ageMs === null ? '' : ` for ${spanText(s.ageMs)}`}; its last report did not list ${name}`;
  const cannot = NO_DRBD[s.record.state.drbd.availability];
  if (cannot !== undefined) return `${s.host} reports no DRBD resource: ${cannot}`;
  return `${s.host} does not report ${name} (not configured there, or an agent that reports only its guarded domUs' resources)`;
}

/**
 * Primary on two Dom0s: a live migration's normal moment (allow-two-primaries) while a domU using
 * the resource shows a migration row on them; otherwise a split brain in the making, and one under
 * way once they are not connected. A silent Dom0's last Primary is left out when a domU it ran has
 * since arrived on its partner (superseded.ts) or its live partner says otherwise (live-partner-word.ts).
 */
function primaryFlags(index: FleetIndex, fresh: Freshness, name: string, sides: readonly ViewSide[], up: readonly ViewSide[]): DrbdFlag[] {
  const live = up.filter((s) => s.reachable);
  const overtaken = (s: ViewSide): boolean => !s.reachable && live.some((l) => primarySuperseded(index, s.host, l.host, domusOn(index, name, s.host), fresh) || liveWordOutranks(index, name, s.host, l.host, fresh));
  const primaries = up.filter((s) => s.res?.role === 'Primary' && !overtaken(s));
  // a side heard now seeing its peer Primary counts that peer even when the peer's own report is missing
  for (const s of live) {
    if (s.res?.role !== 'Primary') continue;
    for (const o of sides) if (o !== s && !primaries.includes(o) && peerToward(s, o.host)?.role === 'Primary' && peerToward(s, o.host)?.connection === 'Connected') primaries.push(o);
  }
  if (primaries.length < 2) return [];
  const hosts = primaries.map((s) => s.host);
  const users = [...new Set(hosts.flatMap((h) => domusOn(index, name, h)))];
  const halves = users.filter((n) => hosts.some((h) => index.running.get(n)?.get(h)?.some((d) => d.migration !== null)));
  // halves a ledger keeps as an unsettled migration are a move that ended, in an ALARM, waiting for a person (as where and status say)
  const stuck = halves.filter((n) => unsettledOf(index, n).length > 0);
  const moving = halves.filter((n) => !stuck.includes(n));
  const linked = primaries.every((s) => s.res === null || cutPeers(s.res).length === 0) && primaries.some((s) => s.res !== null && s.res.peers.length > 0 && !standAlone(s.res));
  if (!linked) return [{ kind: 'split-brain', text: `Primary on ${and(primaries.map(asOf))} while not connected: if both still are, each takes writes the other lacks (a split brain)` }];
  if (stuck.length > 0) return [{ kind: 'migration-unsettled', text: `Primary on ${and(hosts)}: ${and(stuck)}'s migration ended in an ALARM, its outcome unknown, and both sides stay Primary until a person settles it (xenherdctl status)` }];
  if (moving.length > 0) return [{ kind: 'migrating', text: `Primary on ${and(hosts)}: ${and(moving)} ${moving.length === 1 ? 'is' : 'are'} migrating (both sides are Primary while it moves)` }];
  const starting = hosts.length === 2 && mayBeMoveStarting(index, users, [hosts[0] as string, hosts[1] as string], fresh) ? '; or a migration starting, its target not showing the domU yet' : '';
  return [{ kind: 'dual-primary', text: `Primary on ${and(hosts)} and no domU using it is migrating: a split brain in the making (xenherdctl status)${starting}` }];
}
