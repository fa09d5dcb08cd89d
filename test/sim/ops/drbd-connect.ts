import type { DrbdResource, SimState } from '../model/types.js';
import { primariesApart, withResource } from './drbd.js';
import { fail, ok, type OpResult } from './result.js';

/**
 * Connections as the operator drives them (`drbdadm connect [--discard-my-data]`, `drbdadm
 * disconnect`) and the handshake that follows once both ends wait for each other. The kernel's
 * checks are those of drbd_nl.c drbd_adm_connect / conn_try_disconnect (8.4.11 and 9.0.32); the
 * tool words each refusal as its drbd-utils does (tools/drbdadm-connect.ts).
 */

const without = (l: readonly string[], host: string): string[] => l.filter((n) => n !== host);

function replicaOf(s: SimState, res: string, host: string): { r: DrbdResource } | OpResult {
  const r = s.drbd[res];
  if (!r) return fail({ kind: 'drbd-missing', res });
  if (!r.replicas[host] || !r.nodes.includes(host)) return fail({ kind: 'not-replica', res, host });
  return { r };
}

/**
 * `drbdadm connect`: only a StandAlone end may (8.4 finds its own connection's address in use,
 * 9 says it has a net-config), and --discard-my-data only while Secondary (ERR_DISCARD_IMPOSSIBLE,
 * checked after the state in both). The end then waits for its peer; a cut network stays cut.
 */
export function adminConnect(s: SimState, res: string, host: string, discard: boolean): OpResult {
  const found = replicaOf(s, res, host);
  if (!('r' in found)) return found;
  const { r } = found;
  if (!r.standalone.includes(host)) return fail({ kind: 'drbd-connect', res, reason: 'not-standalone' });
  if (discard && r.replicas[host]!.role === 'Primary') return fail({ kind: 'drbd-connect', res, reason: 'discard-while-primary' });
  return ok(withResource(s, {
    ...r,
    standalone: without(r.standalone, host),
    link: r.link === 'cut' ? 'cut' : 'connecting',
    discardMyData: discard ? [...without(r.discardMyData, host), host] : without(r.discardMyData, host),
  }));
}

/**
 * `drbdadm disconnect`: this end goes StandAlone (its net config dropped), the peer loses the
 * connection and waits for it (8.4 WFConnection, 9 Connecting). Already StandAlone: the kernel
 * has nothing to do, which 9 reports as success and 8.4 cannot even address (its disconnect names
 * the connection by its addresses, gone with the net config).
 */
export function adminDisconnect(s: SimState, res: string, host: string): OpResult {
  const found = replicaOf(s, res, host);
  if (!('r' in found)) return found;
  const { r } = found;
  if (r.standalone.includes(host)) return fail({ kind: 'drbd-connect', res, reason: 'already-standalone' });
  return ok(withResource(s, {
    ...r,
    ...(r.link === 'connected' && r.standalone.length === 0 ? primariesApart(r) : {}),
    standalone: [...r.standalone, host],
    link: r.link === 'connected' ? 'connecting' : r.link,
    discardMyData: without(r.discardMyData, host),
  }));
}

/** Whether R's next handshake finds diverged data: a split brain already, or both ends Primary while apart. */
export function handshakeFindsSplitBrain(r: DrbdResource): boolean {
  return r.diverged || r.nodes.every((n) => r.primaryApart.includes(n));
}

/**
 * Timer: a connecting resource connects if both ends are up and waiting. With diverged data the
 * handshake is drbd_receiver.c drbd_sync_handshake's: resolved when exactly one side asked to
 * discard its data and is Secondary (it resyncs from the other; the sim's resync is instant, so
 * both are UpToDate at once); a discarding side that is Primary "shall become SyncTarget, but
 * is primary" and drops the connection alone (its peer keeps waiting); otherwise "Split-Brain
 * detected but unresolved, dropping connection!" on both ends. Both ends Primary while apart is
 * such a divergence found here; one alone is only the newer side, and the other syncs from it.
 */
export function tryConnect(s: SimState, res: string): SimState {
  const r = s.drbd[res];
  if (!r || r.link !== 'connecting' || r.standalone.length) return s;
  if (!r.nodes.every((n) => r.replicas[n] && s.hosts[n]?.power === 'on')) return s;
  if (!handshakeFindsSplitBrain(r)) return withResource(s, { ...r, link: 'connected', discardMyData: [], primaryApart: [] });
  const victims = r.nodes.filter((n) => r.discardMyData.includes(n));
  const victim = victims.length === 1 ? victims[0]! : null;
  if (victim === null) return withResource(s, { ...r, standalone: [...r.nodes], diverged: true, discardMyData: [] });
  if (r.replicas[victim]?.role === 'Primary') return withResource(s, { ...r, standalone: [victim], diverged: true, discardMyData: [] });
  return withResource(s, { ...r, link: 'connected', diverged: false, discardMyData: [], primaryApart: [] });
}
