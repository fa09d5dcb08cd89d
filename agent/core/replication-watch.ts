import { connectionAsPrinted } from '../../shared/drbd-words.js';
import type { DrbdResourceView } from '../../shared/inventory.js';
import { reportedDrbdViews } from './drbd.js';
import { log } from './effects.js';
import type { AgentState } from './state.js';
import type { Fx } from './timers.js';

/**
 * The journal's word on a DRBD link of a domU this Dom0 runs or guards: a warning when it goes
 * (nothing replicates that domU's writes: a failure of this Dom0 now loses them), and a line when
 * it is back, each once per change, not per read. Without it an operator reading the journal at
 * 3 a.m. sees nothing between a link cut and the failover it made unsafe. Resources are judged as
 * they are read (events2 or polling); one not read yet is left as it was.
 */

/** resource → the domUs using it here: those running here, then the guarded ones */
function watched(s: AgentState): Map<string, string[]> {
  const out = new Map<string, string[]>();
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
  for (const g of s.guarded) for (const r of g.drbdResources) add(r, g.name);
  return out;
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

export function noteReplication(s: AgentState, fx: Fx): AgentState {
  if (s.drbd.availability !== 'ok') return s;
  const views = reportedDrbdViews(s);
  const users = watched(s);
  const next = new Map<string, string>();
  let changed = false;
  for (const [resource, domus] of users) {
    const was = s.replicationLost.get(resource);
    const v = views.get(resource);
    if (v === undefined) {
      if (was !== undefined) next.set(resource, was);
      continue;
    }
    const lost = lostOf(v);
    const names = domus.join(', ');
    if (lost === null) {
      if (was === undefined) continue;
      changed = true;
      fx.push(log('info', `DRBD ${resource} of ${names} is connected to ${peerDom0(s, resource, v.peers[0]?.name ?? null)} again: its writes replicate again (after a resync, if one runs)`, { resource, domus, event: 'replication-back' }));
      continue;
    }
    next.set(resource, lost.word);
    if (was !== undefined) continue;
    changed = true;
    const peer = peerDom0(s, resource, lost.peer);
    fx.push(log('warn', `DRBD ${resource} of ${names} lost its connection to ${peer} (${lost.word}): nothing replicates its writes until it is back; check ${peer} and the network between them`, { resource, domus, peer, connection: lost.word, event: 'replication-lost' }));
  }
  // a resource no domU here uses any more is forgotten without a word
  if (!changed && next.size === s.replicationLost.size) return s;
  return { ...s, replicationLost: next };
}
