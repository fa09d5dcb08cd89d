import type { LinkDomain, LinkDomuConfig, LinkHome } from '../../shared/protocol/agent-link-state.js';
import type { FleetIndex } from './fleet-index.js';
import { finding, hostList, type Finding } from './finding.js';
import type { Freshness } from './host-record.js';
import { isLive } from './live-row.js';
import { lookShortlist } from './look-shortlist.js';
import { tickCounter, TICK, type Tick } from './scan-tick.js';
import { isPairClaim } from './pair-claim.js';
import { pairsWithHolders, type DrbdReportOf } from './disk-pairing.js';
import { supersededOn } from './superseded.js';
import { nameOrder } from '../../shared/name-order.js';

/**
 * Why HOST holds nothing of NAME: a resource of NAME, the hosts it names, and whose config says so;
 * `own`: the first resource of HOST's own config of NAME, when it reports one that leaves it out.
 */
export interface HoldsNothing {
  readonly resource: string;
  readonly hosts: readonly string[];
  readonly by: string;
  readonly own: { readonly resource: string; readonly hosts: readonly string[] } | null;
}

/** HOST's config of NAME, as the index holds it (FleetIndex.configs: kept from every report, no map made per report read). */
const configOf = (index: FleetIndex, host: string, name: string): LinkDomuConfig | undefined => index.configs.of(name, host);

const ownFirst = (c: LinkDomuConfig | undefined): HoldsNothing['own'] => (c?.resources[0] === undefined ? null : { resource: c.resources[0].name, hosts: [...c.resources[0].hosts].sort(nameOrder) });

/**
 * Whether HOST's own config of NAME says it holds none of NAME's disks: every DRBD resource it
 * names has hosts (`on HOST {}` in its `.res` file) and HOST is not one of them. An agent that
 * copies another Dom0's config of NAME to back a claim copies that, and no Dom0 runs NAME from
 * such a config: DRBD will not bring a resource up on a host its `.res` file leaves out.
 */
const leavesItselfOut = (c: LinkDomuConfig, host: string): boolean => c.resources.length > 0 && c.resources.every((r) => r.hosts.length > 0 && !r.hosts.includes(host));

/** Whether BYHOST names a host other than HOST. */
const othersIn = (byHost: ReadonlyMap<string, unknown> | undefined, host: string): boolean => byHost !== undefined && (byHost.size > 1 || !byHost.has(host));

/** Whether a host of BYHOST other than HOST reports a config of NAME naming a DRBD resource. */
function otherConfigIn(index: FleetIndex, name: string, host: string, byHost: ReadonlyMap<string, unknown> | undefined): boolean {
  if (byHost === undefined) return false;
  for (const by of byHost.keys()) {
    if (by === host) continue;
    if ((configOf(index, by, name)?.resources.length ?? 0) > 0) return true;
  }
  return false;
}

/**
 * Whether HOST holds nothing NAME runs from, so it cannot run NAME nor be its home: HOST reports no
 * config of NAME (guarded or in its config dir), or only one whose DRBD resources leave HOST out
 * (leavesItselfOut), another host's config of NAME names a resource whose hosts include that host
 * and not HOST, no config of NAME any other host reports names HOST for any resource, and no such
 * resource of HOST is paired with NAME's other holders (disk-pairing.ts: a resource name HOST
 * reports, or a guarded entry without a config, is HOST's word alone and proves nothing). Null
 * when not shown so: a domU on shared storage may run anywhere, and without another host's config
 * nothing is known.
 *
 * Only HOST's own report can make it foreign: another agent reporting a config that leaves out a
 * host holding NAME's config or disks never does (a config naming HOST in its own resource, or a
 * DRBD link HOST reports to a holder of NAME, is believed: only another agent's word could say
 * otherwise, and that agent may be the one lying). From the index alone (a silent host's config is
 * still what it said of NAME's disks), so the home (placement.ts homeOf), the alerts, `where`,
 * `check`, plans, routing, guarded autostart's view of the fleet (fleet-for-agent.ts) and the
 * unsettled records (unsettled.ts) read a claim the same way.
 */
export function holdsNothingOf(index: FleetIndex, name: string, host: string): HoldsNothing | null {
  const here = index.record(host)?.state;
  if (here === null || here === undefined) return null;
  const own = configOf(index, host, name);
  if (own !== undefined && !leavesItselfOut(own, host)) return null;
  // the usual domU no other host speaks of (every running domU is asked about at every alert scan): nothing to read, nothing allocated
  const homes = index.homes.get(name);
  const guards = index.guarded.get(name);
  const runs = index.running.get(name);
  if (!othersIn(homes, host) && !othersIn(guards, host) && !othersIn(runs, host)) return null;
  // only another host's config of NAME can show HOST holds nothing of it: a domU no other host
  // reports a config of (every domU of a fleet whose agents report no configs, asked about for
  // every row at every alert look and every agent's fleet view) is told without a set or a sort
  if (!otherConfigIn(index, name, host, homes) && !otherConfigIn(index, name, host, guards) && !otherConfigIn(index, name, host, runs)) return null;
  let why: HoldsNothing | null = null;
  const drbdOf: DrbdReportOf = (h) => index.record(h)?.state?.drbd.resources;
  const knowers = new Set([...(homes?.keys() ?? []), ...(guards?.keys() ?? []), ...(runs?.keys() ?? [])]);
  for (const by of [...knowers].sort()) {
    if (by === host) continue;
    for (const res of configOf(index, by, name)?.resources ?? []) {
      if (res.hosts.includes(host) || pairsWithHolders(host, res.name, [by, ...res.hosts], drbdOf)) return null;
      if (why === null && res.hosts.includes(by)) why = { resource: res.name, hosts: [...res.hosts].sort(nameOrder), by, own: ownFirst(own) };
    }
  }
  return why;
}

/**
 * The hosts reporting a row of a domU (any row) that hold nothing of it (holdsNothingOf), for
 * every domU with one, as the index keeps them (FleetIndex.foreignRunners): worked out again only
 * for the names the index noted since the last call (takeForeignInputsChanged), for whether a host
 * holds a domU rests on nothing else (its configs, every host's configs of it, who claims, guards
 * or runs it, their DRBD peers). The alert look asked every row of the fleet at every look.
 */
export function foreignRunners(index: FleetIndex): ReadonlyMap<string, readonly string[]> {
  const book = index.foreignRunners;
  for (const name of index.takeForeignInputsChanged()) {
    const hosts = [...(index.running.get(name)?.keys() ?? [])].filter((h) => holdsNothingOf(index, name, h) !== null);
    if (hosts.length === 0) book.delete(name);
    else book.set(name, hosts);
  }
  return book;
}

/**
 * NAME's home claims, less those of hosts holding nothing of it: such a claim is an alert of its
 * own, and counted as a home it would leave NAME with no home, or a false one (placement.ts homeOf,
 * conflicts.ts home-claimed-twice). A pair of claims naming each other is the usual set-up (every
 * guarded domU of a fleet, read in every alert scan) and is told without asking either host what it
 * holds; a claim from a host holding nothing of it breaks a pair.
 */
export function heldHomeClaims(index: FleetIndex, name: string): ReadonlyMap<string, LinkHome> | undefined {
  const byHost = index.homes.get(name);
  if (byHost === undefined || byHost.size < 2 || isPairClaim(byHost)) return byHost;
  const held = [...byHost].filter(([h]) => holdsNothingOf(index, name, h) === null);
  return held.length === byHost.size ? byHost : held.length === 0 ? undefined : new Map(held);
}

/** What a person does about a claim from a host that cannot run the domU: its agent is wrong, or lies. */
const checkAgent = (host: string, name: string): string =>
  `check ${host}'s agent and its token: misconfigured (another domain named ${name} there, a stray entry in its migrate-tab or guarded dir) or compromised; look on ${host} by hand (xl list; xenherd-agent status ${name}), and a token no longer trusted goes with \`xenherd-controller revoke ${host}\``;

function disks(name: string, host: string, why: HoldsNothing): string {
  const theirs = `${why.resource} is on ${why.hosts.join(' and ')}`;
  if (why.own === null) return `no config of ${name} and no replica of its disks (${theirs}, as ${why.by}'s config of ${name} says)`;
  const same = why.own.resource === why.resource && why.own.hosts.join() === why.hosts.join();
  return `no replica of its disks: its own config of ${name} puts ${why.own.resource} on ${why.own.hosts.join(' and ')}, not on ${host} (${same ? `as ${why.by}'s config of ${name} says too` : `and ${why.by}'s config of ${name} says ${theirs}`})`;
}

/** Whether HOST's rows of NAME show it running, as a plain row read now (not overtaken by an arrival elsewhere). */
const runsPlain = (index: FleetIndex, name: string, host: string, rows: readonly LinkDomain[], fresh: Freshness): boolean => rows.some((d) => d.migration === null && isLive(d)) && !supersededOn(index, name, host, fresh);

/**
 * What HOST's ledger keeps of NAME as unsettled, said of a host holding nothing of NAME: no
 * migration of NAME ran there, so the record holds nothing back ('' when there is none).
 */
function unsettledWord(index: FleetIndex, name: string, host: string): string {
  const u = index.unsettled.get(name)?.get(host);
  if (u === undefined) return '';
  return `its ledger keeps the ${u.operation} of ${name} with ${u.peer} (operation ${u.operationId}, at ${u.since}) as unsettled, yet no migration of ${name} ran there: plans, migrate and reverse do not wait on that record`;
}

/**
 * A running copy, a home claim or an unsettled migration record of NAME from a host that holds
 * nothing of NAME (holdsNothingOf). Read as a second copy it would tell the operator to stop one,
 * and the real one might be the one stopped; read as the only copy it would show NAME running
 * while it is down; read as a second home it would leave NAME with none; read as a migration whose
 * ending nobody knows it would hold NAME back from every move until that host's agent let go. So
 * it is an alert of its own, on that host alone (one per host and domU, its claims said together),
 * and the real copy's place, home and moves stay as its holders say (conflicts.ts, placement.ts,
 * route.ts, unsettled.ts and the plans leave the claim out). A lone home claim is not looked at:
 * nothing it breaks, and every domU of a fleet has one.
 */
export function* foreignClaims(index: FleetIndex, fresh: Freshness): Generator<Finding | Tick> {
  const tick = tickCounter();
  const said = new Set<string>();
  const also = (name: string, h: string): string => {
    const u = unsettledWord(index, name, h);
    return u === '' ? '' : `; ${u}`;
  };
  // only a domU some host running it holds nothing of can have such a copy: the few the index keeps, not every row of the fleet
  for (const name of foreignRunners(index).keys()) {
    if (tick()) yield TICK;
    const byHost = index.running.get(name);
    if (byHost === undefined) continue;
    let foreign: Array<[string, HoldsNothing]> | null = null;
    for (const [h, rows] of byHost) {
      if (!runsPlain(index, name, h, rows, fresh)) continue;
      const why = holdsNothingOf(index, name, h);
      if (why !== null) (foreign ??= []).push([h, why]);
    }
    if (foreign === null) continue;
    const alone = ![...byHost].some(([h, rows]) => !foreign.some(([f]) => f === h) && runsPlain(index, name, h, rows, fresh));
    for (const [h, why] of foreign.sort(([a], [b]) => nameOrder(a, b))) {
      const home = index.homes.get(name)?.has(h) === true;
      said.add(`${name}@${h}`);
      const verdict = alone ? `and no Dom0 that holds ${name} reports it running, so ${name} does not run there: where and migrate leave it out` : `so this is no second copy to stop, and where and migrate leave it out`;
      yield finding('foreign-claim', `${name}@${h}`, [h], `${hostList(index, [h], fresh)} reports ${name} running${home ? ' and claims to be its home' : ''}, but holds ${disks(name, h, why)}: it cannot run this ${name}, ${verdict}${also(name, h)}. Stop nothing on its word; ${checkAgent(h, name)}`);
    }
  }
  // a pair naming each other is the usual set-up, told without asking what each holds (a foreign claim
  // breaks it): the shortlist holds the names claimed otherwise by two hosts or more
  for (const name of [...lookShortlist(index).homesUnpaired]) {
    if (tick()) yield TICK;
    const byHost = index.homes.get(name);
    if (byHost === undefined || byHost.size < 2 || isPairClaim(byHost)) continue;
    for (const h of [...byHost.keys()].sort()) {
      if (said.has(`${name}@${h}`)) continue;
      const why = holdsNothingOf(index, name, h);
      if (why === null) continue;
      said.add(`${name}@${h}`);
      yield finding('foreign-claim', `${name}@${h}`, [h], `${hostList(index, [h], fresh)} claims to be ${name}'s home, but holds ${disks(name, h, why)}: it cannot run ${name}, so its claim does not count and ${name}'s home stays with the Dom0s that hold it${also(name, h)}; ${checkAgent(h, name)}`);
    }
  }
  // few domUs have an unsettled record: the fleet without one costs nothing here
  for (const name of index.unsettled.names()) {
    if (tick()) yield TICK;
    for (const h of [...(index.unsettled.get(name)?.keys() ?? [])].sort()) {
      if (said.has(`${name}@${h}`)) continue;
      const why = holdsNothingOf(index, name, h);
      if (why === null) continue;
      yield finding('foreign-claim', `${name}@${h}`, [h], `${hostList(index, [h], fresh)} holds ${disks(name, h, why)}, so it cannot run ${name}; ${unsettledWord(index, name, h)}; ${checkAgent(h, name)}`);
    }
  }
}
