import { connectionAsPrinted } from '../../shared/drbd-words.js';
import type { DrbdResourceView } from '../../shared/inventory.js';
import { reportedDrbdViews } from './drbd.js';
import { log } from './effects.js';
import type { AgentState } from './state.js';
import { arm, type Fx } from './timers.js';

/**
 * The journal's word on a DRBD link of a domU this Dom0 runs or guards: a warning when it goes
 * (nothing replicates that domU's writes: a failure of this Dom0 now loses them), and a line when
 * it is back, each once per change, not per read. Without it an operator reading the journal at
 * 3 a.m. sees nothing between a link cut and the failover it made unsafe. Resources are judged as
 * they are read (events2 or polling); one not read yet is left as it was.
 *
 * A link is lost only once it was seen connected: at every boot each resource is first not up,
 * then trying to reach its peer, and a warning for each would teach people to skip the real ones.
 * One that never connects is said only for a domU running here, once it has stood
 * REPLICATION_GRACE_MS unconnected while that domU ran (an agent restarted beside a link cut for
 * hours says it then too); a standby's link that never came up is `check`'s to say.
 */

/**
 * DRBD tries its peer again every 10 s by default (connect-int): a minute is several tries, room
 * for the two ends of a pair booting a little apart, and still tells within a minute of a running
 * domU's start that nothing replicates its writes.
 */
export const REPLICATION_GRACE_MS = 60_000;

/** What this agent has seen of one watched resource's link. */
export interface ReplicationSeen {
  /** seen connected since this agent watched it: losing it from now on is a real loss */
  readonly connected: boolean;
  /** the word the journal was told it was lost with; null: no warning stands */
  readonly lost: string | null;
  /** since when a domU running here has had it unconnected, never connected before; null: not so now */
  readonly waitingSince: number | null;
}

const UNSEEN: ReplicationSeen = { connected: false, lost: null, waitingSince: null };

/** resource → the domUs using it here (those running here, then the guarded ones), and the resources of those running here */
function watched(s: AgentState): { users: Map<string, string[]>; running: Set<string> } {
  const out = new Map<string, string[]>();
  const running = new Set<string>();
  const add = (resource: string, name: string): void => {
    const l = out.get(resource);
    if (l === undefined) out.set(resource, [name]);
    else if (!l.includes(name)) l.push(name);
  };
  for (const d of s.domains ?? []) {
    if (d.baseName === null || d.domid === null || d.state === 'dying') continue;
    for (const c of s.domus) if (c.name === d.baseName) for (const r of c.resources) add(r.name, c.name);
    for (const g of s.guarded) if (g.name === d.baseName) for (const r of g.drbdResources) add(r, g.name);
  }
  for (const r of out.keys()) running.add(r);
  for (const g of s.guarded) for (const r of g.drbdResources) add(r, g.name);
  return { users: out, running };
}

interface Lost {
  readonly peer: string | null;
  readonly word: string;
}

/** Why VIEW replicates nothing now, or null while it is connected (a connection not printed is not judged). */
function lostOf(v: DrbdResourceView): Lost | null {
  if (!v.up) return { peer: null, word: 'not up' };
  const cut = v.peers.find((p) => p.connection !== null && p.connection !== 'Connected');
  if (cut !== undefined) return { peer: cut.name, word: connectionAsPrinted(cut.name, cut.connection ?? '', cut.replication) };
  // DRBD 8.4 lists no peer for a StandAlone resource
  return v.peers.length === 0 ? { peer: null, word: 'StandAlone' } : null;
}

/** The Dom0 at the other end: DRBD 9's name for it, else the one other host RESOURCE's `.res` here names. */
function peerDom0(s: AgentState, resource: string, named: string | null): string {
  if (named !== null && named !== 'peer' && !named.startsWith('node-id:')) return named;
  const others = new Set(s.domus.flatMap((c) => c.resources.filter((r) => r.name === resource).flatMap((r) => r.hosts)).filter((h) => h !== s.host));
  return others.size === 1 ? ([...others][0] as string) : 'its peer';
}

export function noteReplication(s: AgentState, fx: Fx, now: number): AgentState {
  if (s.drbd.availability !== 'ok') return s;
  const views = reportedDrbdViews(s);
  const { users, running } = watched(s);
  const next = new Map<string, ReplicationSeen>();
  let dueInMs: number | null = null;
  for (const [resource, domus] of users) {
    const was = s.replication.get(resource) ?? UNSEEN;
    const v = views.get(resource);
    if (v === undefined) {
      if (was !== UNSEEN) next.set(resource, was);
      continue;
    }
    const lost = lostOf(v);
    const names = domus.join(', ');
    if (lost === null) {
      next.set(resource, { connected: true, lost: null, waitingSince: null });
      // after the grace's warning it was never connected: "again" would send a reader looking for a loss
      const again = was.connected ? ' again' : '';
      if (was.lost !== null) fx.push(log('info', `DRBD ${resource} of ${names} is connected to ${peerDom0(s, resource, v.peers[0]?.name ?? null)}${again}: its writes replicate${again} (after a resync, if one runs)`, { resource, domus, event: 'replication-back' }));
      continue;
    }
    if (was.lost !== null) {
      next.set(resource, was);
      continue;
    }
    const peer = peerDom0(s, resource, lost.peer);
    const fields = { resource, domus, peer, connection: lost.word };
    if (was.connected) {
      next.set(resource, { connected: true, lost: lost.word, waitingSince: null });
      fx.push(log('warn', `DRBD ${resource} of ${names} lost its connection to ${peer} (${lost.word}): nothing replicates its writes until it is back; check ${peer} and the network between them`, { ...fields, event: 'replication-lost' }));
      continue;
    }
    // never connected: only a domU running here is owed a word, after the grace
    const since = running.has(resource) ? (was.waitingSince ?? now) : null;
    if (since !== null && now - since >= REPLICATION_GRACE_MS) {
      next.set(resource, { connected: false, lost: lost.word, waitingSince: since });
      fx.push(log('warn', `DRBD ${resource} of ${names} has not connected to ${peer} in the ${Math.round((now - since) / 1000)} s ${names} ran here (${lost.word}): nothing replicates its writes until it does; check ${peer} and the network between them`, { ...fields, event: 'replication-not-connected' }));
      continue;
    }
    if (since !== null) dueInMs = Math.min(dueInMs ?? Infinity, since + REPLICATION_GRACE_MS - now);
    if (since !== null || was !== UNSEEN) next.set(resource, { ...was, waitingSince: since });
  }
  // a resource no domU here uses any more is forgotten without a word
  const n = sameSeen(s.replication, next) ? s : { ...s, replication: next };
  return dueInMs === null || n.timers.has('replication') ? n : arm(n, fx, 'replication', dueInMs);
}

function sameSeen(a: ReadonlyMap<string, ReplicationSeen>, b: ReadonlyMap<string, ReplicationSeen>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of b) {
    const w = a.get(k);
    if (w === undefined || w.connected !== v.connected || w.lost !== v.lost || w.waitingSince !== v.waitingSince) return false;
  }
  return true;
}
