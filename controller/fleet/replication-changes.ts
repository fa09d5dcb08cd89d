import { connectionAsPrinted, hostlessPeerName as hostless } from '../../shared/drbd-words.js';
import type { HostState, LinkDomain, LinkDrbdResource } from '../../shared/protocol/agent-link-state.js';
import { isLive } from './live-row.js';

/**
 * When the replication of a running domU broke, and when it came back, as the fleet view sees
 * it: the controller's journal is where an operator looks after the fact, and without this only
 * the agent's journal on one Dom0 has it. A link is judged from the report of the Dom0 running the
 * domU, the end whose writes go unreplicated; its peer's report of the same link says the same
 * thing later or sooner, and would make one cut two lines. Pure: views in, changes out.
 */

/** One DRBD resource of the domUs running on HOST, as HOST reports it. */
export interface LinkSeen {
  readonly resource: string;
  /** the domUs running on HOST that use it, by name */
  readonly domus: readonly string[];
  readonly host: string;
  /** the Dom0 at the other end: DRBD 9's name for it, else the one other host HOST's `.res` names; null: not known */
  readonly peer: string | null;
  /** 'Connected', or why not as DRBD prints it ('WFConnection', 'StandAlone', 'not up'); null: not printed, not judged */
  readonly state: string | null;
}

/** HOST's links by resource. */
export type ReplicationView = ReadonlyMap<string, LinkSeen>;

export interface ReplicationChange {
  readonly kind: 'lost' | 'back';
  readonly link: LinkSeen;
  /** the state it was in before */
  readonly from: string;
  /** the state it is in now */
  readonly to: string;
}

export const CONNECTED = 'Connected';

function peerOf(host: string, state: HostState, res: LinkDrbdResource): string | null {
  const named = res.peers.filter((p) => !hostless(p.name)).map((p) => p.name);
  if (named.length === 1) return named[0] as string;
  const others = new Set(state.domus.flatMap((d) => d.resources.filter((r) => r.name === res.name).flatMap((r) => r.hosts)).filter((h) => h !== host));
  return res.peers.length <= 1 && others.size === 1 ? ([...others][0] as string) : null;
}

/** RES's link as its report words it (the agent's own rule, agent/core/replication-watch.ts). */
function stateOf(res: LinkDrbdResource): string | null {
  if (res.role === null && res.disk === null && res.peers.length === 0) return 'not up';
  const cut = res.peers.find((p) => p.connection !== null && p.connection !== CONNECTED);
  if (cut !== undefined) return connectionAsPrinted(cut.name, cut.connection ?? '', cut.replication);
  // DRBD 8.4 lists no peer for a StandAlone resource
  if (res.peers.length === 0) return 'StandAlone';
  return res.peers.every((p) => p.connection === CONNECTED) ? CONNECTED : null;
}

/** A row replicationView counts as its domU running on the host: a plain live row. */
const runsHere = (d: LinkDomain): boolean => d.migration === null && isLive(d);

/**
 * Whether AFTER, a host's rows, run the same domUs as BEFORE for replicationView: row by row the
 * same domU, each running or not as before (a memory figure or a state between live ones moving
 * changes nothing). False when the rows differ otherwise, though the domUs may be the same.
 */
export function sameRunningRows(before: readonly LinkDomain[], after: readonly LinkDomain[]): boolean {
  if (before === after) return true;
  if (before.length !== after.length) return false;
  for (let i = 0; i < after.length; i++) {
    const a = after[i] as LinkDomain;
    const b = before[i] as LinkDomain;
    if (a !== b && (a.baseName !== b.baseName || runsHere(a) !== runsHere(b))) return false;
  }
  return true;
}

/**
 * The links of the domUs HOST runs (a plain live row: a migration's halves are the move's own
 * business, judged by its handover check), from HOST's report.
 */
export function replicationView(host: string, state: HostState): ReplicationView {
  const running = new Set(state.domains.filter(runsHere).map((d) => d.baseName));
  const users = new Map<string, Set<string>>();
  const use = (resource: string, name: string): void => {
    const l = users.get(resource);
    if (l === undefined) users.set(resource, new Set([name]));
    else l.add(name);
  };
  for (const c of state.domus) if (running.has(c.name)) for (const r of c.resources) use(r.name, c.name);
  for (const g of state.guarded) if (running.has(g.name)) for (const r of g.drbdResources) use(r, g.name);
  const out = new Map<string, LinkSeen>();
  for (const res of state.drbd.resources) {
    const domus = users.get(res.name);
    if (domus !== undefined) out.set(res.name, { resource: res.name, domus: [...domus].sort(), host, peer: peerOf(host, state, res), state: stateOf(res) });
  }
  return out;
}

/**
 * Each link's state as the next judgement needs it, by resource: the state last printed (one not
 * printed now keeps the one before). Kept per Dom0 between reports instead of the view itself: the
 * domUs, host and peer a line names are the new view's, and 40,000 links' whole views were MBs.
 */
export type LinkStates = ReadonlyMap<string, string | null>;

/**
 * What changed between BEFORE (the states last kept) and NEXT, a view of one Dom0: a link seen
 * connected and now not is lost, one seen not connected and now connected is back. A link first
 * seen (the controller just started, the domU just started or arrived here) is no change, nor one
 * no longer seen: the controller cannot date a change it did not see. A state not printed now keeps
 * the one before, so a link passing through one (8.4's TearDown) is one change, not none. Returns
 * the states to keep for the next.
 */
export function replicationChanges(before: LinkStates | undefined, next: ReplicationView): { states: LinkStates; changes: ReplicationChange[] } {
  const states = new Map<string, string | null>();
  const changes: ReplicationChange[] = [];
  for (const [resource, seen] of next) {
    const was = before?.get(resource);
    const link = seen.state === null && was !== undefined ? { ...seen, state: was } : seen;
    states.set(resource, link.state);
    if (was === undefined || was === null || link.state === null || (was === CONNECTED) === (link.state === CONNECTED)) continue;
    changes.push({ kind: link.state === CONNECTED ? 'back' : 'lost', link, from: was, to: link.state });
  }
  return { states, changes };
}
