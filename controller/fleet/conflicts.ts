import type { LinkDrbdResource } from '../../shared/protocol/agent-link-state.js';
import type { FleetIndex } from './fleet-index.js';
import { finding, hostList as list, silentHostsNote, type Finding } from './finding.js';
import { heldHomeClaims, holdsNothingOf } from './foreign-claims.js';
import { isoOnControllerClock, isReachable, type Freshness } from './host-record.js';
import { liveWordOutranks } from './live-partner-word.js';
import { isLive } from './live-row.js';
import { lookShortlist } from './look-shortlist.js';
import { moveExplains } from './moves-under-way.js';
import { mayBeMoveStarting, partnerUnreported, PROMOTION_FIRST_SETTLE_MS } from './move-promotion.js';
import { domusOn, resHostsOn, usersOf } from './resource-users.js';
import { isPairClaim } from './pair-claim.js';
import { byKeyName, nameOrder } from '../../shared/name-order.js';
import { homeOf } from './placement.js';
import { splitSidesNote } from './split-sides.js';
import { tickCounter, TICK, type Tick } from './scan-tick.js';
import { unseenPlaces } from './unseen-places.js';
import { primarySuperseded, supersededOn } from './superseded.js';
import { seesPeerPrimary } from './primary-holders.js';

/**
 * Conflicts that no single Dom0 can see, from every host's last report. A silent host's last
 * report still counts for the first three kinds (a partitioned Dom0 may still run the domU: hiding
 * that is how split brains happen) and the message says how old it is, unless a current host has
 * since seen the domU arrive by migration (superseded.ts: that report is overtaken), or, for a DRBD
 * resource, its live partner says otherwise now (live-partner-word.ts); "away at X
 * but X does not run it" is only claimed when X is reachable and fresh, or when X is not in the
 * fleet at all (revoked, as a Dom0 that died is) and no host reports the domU: then it is down,
 * and only the home's agent, forced, starts it.
 */
export function* conflictScan(index: FleetIndex, fresh: Freshness): Generator<Finding | Tick> {
  yield* runningTwice(index, fresh);
  yield* homeClaimedTwice(index, fresh);
  yield* primaryOnBoth(index, fresh);
  yield* awayNotThere(index, fresh);
}

function* runningTwice(index: FleetIndex, fresh: Freshness): Generator<Finding | Tick> {
  const tick = tickCounter();
  // only a domU with rows on two hosts can: the shortlist's few, not every name of the fleet
  for (const name of [...lookShortlist(index).runningOnSeveral]) {
    if (tick()) yield TICK;
    const byHost = index.running.get(name);
    if (byHost === undefined || byHost.size < 2) continue;
    // a migration shows as NAME--migratedaway / NAME--incoming beside NAME: only plain rows conflict
    const plain = [...byHost].filter(([, rows]) => rows.some((d) => d.migration === null && isLive(d))).map(([h]) => h);
    if (plain.length < 2) continue;
    // a host holding nothing of it is no second copy: its claim is an alert of its own (foreign-claims.ts)
    const hosts = plain.filter((h) => !supersededOn(index, name, h, fresh) && holdsNothingOf(index, name, h) === null).sort(nameOrder);
    if (hosts.length < 2 || moveExplains(fresh.moves, name, hosts)) continue;
    const resources = resourcesOf(index, name, hosts);
    yield finding('running-on-two-hosts', name, hosts, `${name} runs on ${list(index, hosts, fresh)}, not as a migration: a split brain of its disks is likely; stop one copy after checking which is current${splitSidesNote(index, name, homeOf(index, name).home, resources, hosts)}${silentHostsNote(index, hosts, fresh, resources)}`);
  }
}

function* homeClaimedTwice(index: FleetIndex, fresh: Freshness): Generator<Finding | Tick> {
  const tick = tickCounter();
  // a pair's claims, or one alone, hold no claim twice whatever the hosts hold: the shortlist leaves them out
  for (const name of [...lookShortlist(index).homesUnpaired]) {
    if (tick()) yield TICK;
    // a DRBD pair both guarding a domU is the usual set-up (either may start it after a reboot); a
    // claim from a host holding nothing of it is an alert of its own (foreign-claims.ts)
    const held = heldHomeClaims(index, name);
    if (held === undefined || held.size < 2 || isPairClaim(held)) continue;
    const hosts = [...held.keys()].sort(nameOrder);
    yield finding('home-claimed-twice', name, hosts, `${list(index, hosts, fresh)} each claim to be ${name}'s home: keep it in one Dom0's migrate-tab (or guarded dir with the other as its peer)`);
  }
}

export interface PrimaryHolder {
  readonly host: string;
  readonly resource: LinkDrbdResource;
}

function* primaryOnBoth(index: FleetIndex, fresh: Freshness): Generator<Finding | Tick> {
  const tick = tickCounter();
  const kept = index.primaryHolders;
  // copies: the look goes on in slices, and the reports taken in between change the sets
  const shared = new Set(kept.shared);
  for (const name of shared) {
    if (tick()) yield TICK;
    const holders = holdersOf(index, name);
    if (holders.length >= 2) yield* primaryPairs(index, holders, fresh);
  }
  // one holder alone, seeing its peer Primary (a resource with two holders was looked at above)
  for (const [host, names] of [...kept.seeingPeerPrimary]) {
    for (const name of [...names]) {
      if (tick()) yield TICK;
      const resource = shared.has(name) ? undefined : primaryOn(index, host, name);
      const f = resource === undefined ? null : peerSeenPrimary(index, { host, resource }, fresh);
      if (f !== null) yield f;
    }
  }
}

/** HOST's report of RESOURCE, if it holds it Primary. */
function primaryOn(index: FleetIndex, host: string, resource: string): LinkDrbdResource | undefined {
  const resources = index.record(host)?.state?.drbd.resources ?? [];
  for (let k = 0; k < resources.length; k++) {
    const res = resources[k];
    if (res !== undefined && res.name === resource && res.role === 'Primary') return res;
  }
  return undefined;
}

/** The hosts holding RESOURCE Primary, each with its report of it, in the order they came to. */
function holdersOf(index: FleetIndex, resource: string): PrimaryHolder[] {
  const out: PrimaryHolder[] = [];
  for (const host of index.primaryHolders.hostsOf(resource)) {
    const res = primaryOn(index, host, resource);
    if (res !== undefined) out.push({ host, resource: res });
  }
  return out;
}

/** The findings of one resource HOLDERS (two or more) report Primary. */
function* primaryPairs(index: FleetIndex, holders: readonly PrimaryHolder[], fresh: Freshness): Generator<Finding> {
  const paired = new Set<PrimaryHolder>();
  for (let i = 0; i < holders.length; i++) {
    for (let j = i + 1; j < holders.length; j++) {
      const a = holders[i] as PrimaryHolder;
      const b = holders[j] as PrimaryHolder;
      const resource = a.resource.name;
      // the same name on two unrelated DRBD pairs is two resources: only partners conflict
      if (!arePartners(index, resource, a, b)) continue;
      paired.add(a).add(b);
      if (migrating(index, resource, [a.host, b.host], fresh) || pairSuperseded(index, resource, a, b, fresh)) continue;
      const hosts = [a.host, b.host].sort(nameOrder);
      yield finding('drbd-primary-on-both', `${resource}@${hosts.join('+')}`, hosts, `DRBD resource ${resource} is Primary on ${list(index, hosts, fresh)} and no domU using it is migrating: a split brain${sidesOf(index, resource, hosts)}${silentHostsNote(index, hosts, fresh, [resource])}`, settle(index, resource, [a.host, b.host], fresh));
    }
  }
  // (Both reporting it Primary is the pair above: paired, so never said twice.)
  for (const a of holders) {
    const f = paired.has(a) ? null : peerSeenPrimary(index, a, fresh);
    if (f !== null) yield f;
  }
}

/**
 * An agent older than standby reports tells only the resources of the domUs it guards, so the
 * partner of a domU guarded on one Dom0 (a standby replica) may not report it: the holder A's own
 * view of its connected peer, Primary too, is enough then.
 */
function peerSeenPrimary(index: FleetIndex, a: PrimaryHolder, fresh: Freshness): Finding | null {
  if (!seesPeerPrimary(a.resource)) return null;
  const resource = a.resource.name;
  const partner = partnerOf(index, resource, a);
  const hosts = partner === null ? [a.host] : [a.host, partner].sort(nameOrder);
  if (migrating(index, resource, hosts, fresh)) return null;
  // a silent holder's view of its peer is as old as its report: overtaken like its rows, and
  // outranked by that peer's own word now (live-partner-word.ts)
  if (partner !== null && (primarySuperseded(index, a.host, partner, domusOn(index, resource, a.host), fresh) || liveWordOutranks(index, resource, a.host, partner, fresh))) return null;
  const where = partner === null ? `${list(index, hosts, fresh)} and on its DRBD peer` : list(index, hosts, fresh);
  const wait = partner === null ? undefined : partnerUnreported(index, partner) ? PROMOTION_FIRST_SETTLE_MS : settle(index, resource, [a.host, partner], fresh);
  return finding('drbd-primary-on-both', `${resource}@${hosts.join('+')}`, hosts, `DRBD resource ${resource} is Primary on ${where} (as ${a.host} sees it) and no domU using it is migrating: a split brain${sidesOf(index, resource, hosts)}`, wait);
}

/**
 * One of A and B is silent and its Primary rests on its last report of a domU since seen arriving
 * by migration on the other (superseded.ts), and the other does not see its peer Primary now: what
 * DRBD says at this moment outranks that overtaken report. So does the other's live view of the
 * silent one, connected and Secondary (live-partner-word.ts), whatever its last report said.
 */
function pairSuperseded(index: FleetIndex, resource: string, a: PrimaryHolder, b: PrimaryHolder, fresh: Freshness): boolean {
  const staleOn = (x: PrimaryHolder, y: PrimaryHolder): boolean =>
    (!y.resource.peers.some((p) => p.role === 'Primary') && primarySuperseded(index, x.host, y.host, domusOn(index, resource, x.host), fresh)) || liveWordOutranks(index, resource, x.host, y.host, fresh);
  return staleOn(a, b) || staleOn(b, a);
}

/**
 * The Dom0 on the other end of HOLDER's resource: the peer as DRBD 9 names it, else the one other
 * host the resource's `.res` file names there (DRBD 8.4 calls every peer "peer"); null if unknown.
 */
function partnerOf(index: FleetIndex, resource: string, holder: PrimaryHolder): string | null {
  const named = holder.resource.peers.filter((p) => p.role === 'Primary' && index.record(p.name) !== undefined);
  if (named.length === 1) return (named[0] as { name: string }).name;
  const others = [...new Set(resHostsOn(index, resource, holder.host))].filter((h) => h !== holder.host);
  return others.length === 1 ? (others[0] as string) : null;
}

/**
 * Partners: one lists the other as a DRBD peer (DRBD 9 names peers by host). DRBD 8.4 calls its
 * peer "peer", so there: one's domU configs on this resource name the other in the resource's
 * `.res` file, or both hold a domU on it. A domU guarded on one Dom0 only, with a standby config
 * on the other, is the common 8.4 set-up. A domU one of them holds nothing of (foreign-claims.ts:
 * a guarded entry and a resource of that name, all its own word) makes no pair: its Primary would
 * be called a split brain against the Dom0 that really holds the domU.
 */
export function arePartners(index: FleetIndex, resource: string, a: PrimaryHolder, b: PrimaryHolder): boolean {
  if (a.resource.peers.some((p) => p.name === b.host) || b.resource.peers.some((p) => p.name === a.host)) return true;
  if (resHostsOn(index, resource, a.host).includes(b.host) || resHostsOn(index, resource, b.host).includes(a.host)) return true;
  const held = (n: string): boolean => holdsNothingOf(index, n, a.host) === null && holdsNothingOf(index, n, b.host) === null;
  return domusOn(index, resource, a.host).some((n) => domusOn(index, resource, b.host).includes(n) && held(n));
}

/** The DRBD resources of NAME as HOSTS' reports name them: guarded there, or configured there. */
const resourcesOf = (index: FleetIndex, name: string, hosts: readonly string[]): string[] => {
  const out = new Set<string>();
  for (const h of hosts) {
    const state = index.record(h)?.state;
    for (const r of state?.guarded.find((g) => g.name === name)?.drbdResources ?? []) out.add(r);
    for (const r of state?.domus.find((d) => d.name === name)?.resources ?? []) out.add(r.name);
  }
  return [...out];
};

/** A dual Primary's sides (split-sides.ts), of the domU using RESOURCE when one alone does. */
function sidesOf(index: FleetIndex, resource: string, hosts: readonly string[]): string {
  const users = usersOf(index, resource, hosts);
  const name = users.length === 1 ? (users[0] ?? null) : null;
  return splitSidesNote(index, name, name === null ? null : homeOf(index, name).home, [resource], hosts);
}

/** How long a dual Primary of RESOURCE between HOSTS waits to be an alert: a move's first moment may look so (move-promotion.ts). */
function settle(index: FleetIndex, resource: string, hosts: readonly [string, string], fresh: Freshness): number | undefined {
  const users = new Set(hosts.flatMap((h) => domusOn(index, resource, h)));
  return mayBeMoveStarting(index, users, hosts, fresh) ? PROMOTION_FIRST_SETTLE_MS : undefined;
}

/** During a live migration both sides are Primary (allow-two-primaries): not a conflict. */
function migrating(index: FleetIndex, resource: string, hosts: readonly string[], fresh: Freshness): boolean {
  const users = new Set(hosts.flatMap((h) => domusOn(index, resource, h)));
  return [...users].some((name) => moveExplains(fresh.moves, name, hosts) || hosts.some((h) => index.running.get(name)?.get(h)?.some((d) => d.migration !== null)));
}

function* awayNotThere(index: FleetIndex, fresh: Freshness): Generator<Finding | Tick> {
  const tick = tickCounter();
  for (const [name, byHome] of index.away.entries()) {
    if (tick()) yield TICK;
    const hosts = new Set<string>();
    const details: string[] = [];
    const homes: string[] = [];
    const gone: string[] = [];
    // by the homes' names, not the order the index met the hosts in: the same fleet words its alert the same
    for (const [home, rec] of byKeyName(byHome)) {
      const x = index.record(rec.currentHost);
      if (x === undefined && index.running.get(name) === undefined) {
        hosts.add(home);
        // unknown here is not gone: a forced start while X still runs it is a split brain, so check X first
        gone.push(`the ledger of ${home} sends ${name} to ${rec.currentHost} since ${isoOnControllerClock(index.record(home), rec.since)} (${rec.reason}), which is not in this controller's fleet (revoked, or never enrolled), and no Dom0 reporting runs it: ${name} may still run on ${rec.currentHost} (a standby whose tokens.json was copied before ${rec.currentHost} was enrolled does not know it); first check on ${rec.currentHost} (\`ssh ${rec.currentHost} xl list\`, or \`xenherdctl where ${name}\` on the controller it reports to); only if ${rec.currentHost} is really gone (powered off) is ${name} down: then start it at home: \`xenherd-agent autostart start --force ${name} --reason TEXT\` on ${home} (\`xenherdctl restore ${home}\` cannot: it starts a domU at home only when the host it went to reports)`);
        continue;
      }
      if (!x?.state || !isReachable(x, fresh.now, fresh.staleAfterMs)) continue;
      if (index.running.get(name)?.has(rec.currentHost)) continue;
      hosts.add(home).add(rec.currentHost);
      homes.push(home);
      details.push(`the ledger of ${home} says ${name} is on ${rec.currentHost} since ${isoOnControllerClock(index.record(home), rec.since)} (${rec.reason}), but ${rec.currentHost} does not run it`);
    }
    if (details.length === 0) {
      if (gone.length > 0) yield finding('ledger-away-not-there', name, [...hosts].sort(nameOrder), gone.join('; '));
      continue;
    }
    const runningOn = [...(index.running.get(name)?.keys() ?? [])].sort(nameOrder);
    // a Dom0 that could run it unheard: not known down, and a start would be a second copy
    const unseen = runningOn.length > 0 ? [] : unseenPlaces(index, name, fresh);
    const where =
      runningOn.length > 0
        ? `; it runs on ${runningOn.join(', ')}`
        : unseen.length > 0
          ? `; no host heard from reports it running, and whether it runs on ${unseen.join('; ')} is unknown: start it nowhere before \`xenherdctl where ${name}\` hears from ${unseen.length === 1 ? 'that Dom0' : 'those Dom0s'}`
          : `; no host reports it running: it is down${downAdvice(homes)}`;
    yield finding('ledger-away-not-there', name, [...hosts].sort(nameOrder), [`${details.join('; ')}${where}`, ...gone].join('; '));
  }
}

/**
 * What brings back a domU its home's ledger sends elsewhere and that runs nowhere: a move cut short
 * between the shutdown at its source and the start at its target (a controller stopped mid-drain)
 * leaves it so, and the home's autostart skips it as away. A restore of the home starts it there.
 */
function downAdvice(homes: readonly string[]): string {
  if (homes.length !== 1) return '; start it where its DRBD roles allow';
  const home = homes[0] as string;
  return ` (a move cut short after its shutdown leaves it so); \`xenherdctl restore ${home}\` starts it on ${home} (its --dry-run says whether it may now), or start it by hand where its DRBD roles allow`;
}
