import { isConnected } from '../model/drbd-view.js';
import type { DrbdResource, ReplicaState, Role, SimState } from '../model/types.js';
import { fail, ok, type OpResult } from './result.js';

/** DRBD state changes: role changes (drbdadm primary/secondary, block-drbd), link faults, connecting. */
export const SS_TWO_PRIMARIES = { code: -1, text: 'Multiple primaries not allowed by config' };
export const SS_NO_UP_TO_DATE_DISK = { code: -2, text: 'Need access to UpToDate data' };
export const SS_DEVICE_IN_USE = { code: -12, text: 'Device is held open by someone' };

export function withResource(s: SimState, r: DrbdResource): SimState {
  return { ...s, drbd: { ...s.drbd, [r.name]: r } };
}

function setReplica(s: SimState, res: string, host: string, rep: ReplicaState | null): SimState {
  const r = s.drbd[res]!;
  const replicas = { ...r.replicas };
  if (rep) replicas[host] = rep;
  else delete replicas[host];
  return withResource(s, { ...r, replicas });
}

/** R with the nodes Primary now counted as written apart from their peer: the connection is going or gone */
export function primariesApart(r: DrbdResource): DrbdResource {
  const now = r.nodes.filter((n) => r.replicas[n]?.role === 'Primary' && !r.primaryApart.includes(n));
  return now.length === 0 ? r : { ...r, primaryApart: [...r.primaryApart, ...now] };
}

export function setRole(s: SimState, res: string, host: string, role: Role): OpResult {
  const r = s.drbd[res];
  if (!r) return fail({ kind: 'drbd-missing', res });
  const me = r.replicas[host];
  if (!me || !r.nodes.includes(host)) return fail({ kind: 'not-replica', res, host });
  if (me.role === role) return ok(s);
  if (role === 'Primary') {
    if (me.disk !== 'UpToDate') return fail({ kind: 'drbd-state', res, minor: r.minor, ...SS_NO_UP_TO_DATE_DISK });
    const peer = r.nodes.find((n) => n !== host)!;
    if (isConnected(s, res) && r.replicas[peer]?.role === 'Primary' && !r.allowTwoPrimaries) {
      return fail({ kind: 'drbd-state', res, minor: r.minor, ...SS_TWO_PRIMARIES });
    }
  } else if (s.domains.some((d) => d.host === host && d.drbd.includes(res))) {
    return fail({ kind: 'drbd-state', res, minor: r.minor, ...SS_DEVICE_IN_USE });
  }
  const next = setReplica(s, res, host, { ...me, role });
  const after = next.drbd[res];
  return ok(role === 'Primary' && after !== undefined && !isConnected(s, res) ? withResource(next, primariesApart(after)) : next);
}

/** block-drbd on domain create: promote every resource, all or nothing. */
export function promoteAll(s: SimState, host: string, resources: readonly string[]): OpResult {
  let cur = s;
  for (const r of resources) {
    const res = setRole(cur, r, host, 'Primary');
    if (!res.ok) return res;
    cur = res.state;
  }
  return ok(cur);
}

/** block-drbd on domain teardown: demote what no other domain on this host still uses. */
export function demoteUnused(s: SimState, host: string, resources: readonly string[]): SimState {
  let cur = s;
  for (const name of resources) {
    const r = cur.drbd[name];
    const me = r?.replicas[host];
    if (!r || !me || me.role !== 'Primary') continue;
    if (cur.domains.some((d) => d.host === host && d.drbd.includes(name))) continue;
    cur = setReplica(cur, name, host, { ...me, role: 'Secondary' });
  }
  return cur;
}

export function upReplicas(s: SimState, host: string): SimState {
  let cur = s;
  for (const r of Object.values(s.drbd)) if (r.nodes.includes(host)) cur = setReplica(cur, r.name, host, { role: 'Secondary', disk: 'UpToDate' });
  return cur;
}

export function downReplicas(s: SimState, host: string): SimState {
  let cur = s;
  for (const r of Object.values(s.drbd)) {
    if (!r.nodes.includes(host)) continue;
    cur = setReplica(cur, r.name, host, null);
    const after = cur.drbd[r.name]!;
    // the kernel's state goes with the host: a discard-my-data asked for before is forgotten
    const others = (l: readonly string[]): string[] => l.filter((n) => n !== host);
    const apart = after.link === 'connected' && after.standalone.length === 0 ? primariesApart(after) : after;
    cur = withResource(cur, { ...apart, link: after.link === 'connected' ? 'connecting' : after.link, standalone: others(after.standalone), discardMyData: others(after.discardMyData) });
  }
  return cur;
}

/** Fault: the replication link goes down; both ends wait for the peer (8.4 WFConnection). */
export function cutLink(s: SimState, res: string): OpResult {
  const r = s.drbd[res];
  if (!r) return fail({ kind: 'drbd-missing', res });
  return ok(withResource(s, { ...primariesApart(r), link: 'cut' }));
}

/**
 * Fault: split brain, both nodes drop the connection and sit in StandAlone with diverged data.
 * The network itself is fine (a cut link stays cut): once both leave StandAlone they meet again,
 * and the handshake decides (ops/drbd-connect.ts tryConnect).
 */
export function splitBrain(s: SimState, res: string): OpResult {
  const r = s.drbd[res];
  if (!r) return fail({ kind: 'drbd-missing', res });
  return ok(withResource(s, { ...r, link: r.link === 'cut' ? 'cut' : 'connecting', standalone: [...r.nodes], diverged: true, discardMyData: [] }));
}

/**
 * Repair: link restored, StandAlone and the divergence of a `split-brain` fault cleared; the
 * connection comes up after connectDelayMs, unless both ends were Primary while it was down: that
 * handshake finds a split brain (ops/drbd-connect.ts tryConnect), as DRBD does.
 */
export function restoreLink(s: SimState, res: string): OpResult {
  const r = s.drbd[res];
  if (!r) return fail({ kind: 'drbd-missing', res });
  return ok(withResource(s, { ...r, link: 'connecting', standalone: [], diverged: false, discardMyData: [] }));
}
