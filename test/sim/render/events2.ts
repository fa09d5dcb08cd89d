import type { DrbdView, HostDrbdView } from '../model/drbd-view.js';
import { conn9 } from './drbd-9.js';
import { helperLines9, promotion9, settled9, steps9, type Kernel9 } from './events2-9-steps.js';

/**
 * `drbdsetup events2`: lines "VERB OBJECT key:value…". The initial dump prints every object with
 * "exists" and ends with "exists -"; later lines ("create", "change", "destroy") carry the object's
 * key and only the field groups that changed. DRBD 8.4 (user/v84/drbdsetup.c print_notifications)
 * fakes peer-node-id:0 and names every peer "peer"; DRBD 9 (user/v9/drbdsetup_events2.c) names
 * the connection after the peer host and lists its paths. Fields as drbd-utils 9.22.0 prints
 * them (see drbd-9.ts).
 */
export interface EventObject {
  /** e.g. "resource name:r1" */
  readonly key: string;
  /**
   * DRBD 8.4 only: the key printed while the connection has a network config, when this object
   * (a StandAlone connection or its peer device) is listed without it
   */
  readonly keyWithPeer?: string;
  /**
   * DRBD 8.4 only: a connection coming up reports Connected, and the peer's role in a line of its
   * own once the peer sent its state (lab captures 05 and 18). DRBD 9 commits both in one state
   * change (drbd_state.c: the connect transaction sets the peer's role from the reply's
   * primary_nodes), so one line carries both.
   */
  readonly roleAfterConnect?: true;
  /**
   * DRBD 9 only: a connection's path. The TCP transport announces it by itself, not in a state
   * change: established when its sockets connect, before the handshake makes the connection
   * Connected; no longer established when conn_disconnect closes the sockets, after the state
   * change that took the connection down (drbd-9.0.32-1 drbd_transport_tcp.c dtt_connect and
   * dtt_free, drbd_receiver.c conn_disconnect).
   */
  readonly path?: true;
  /** groups of [field, value]; a change in any field of a group prints the whole group */
  readonly groups: readonly (readonly (readonly [string, string])[])[];
}

/**
 * DRBD 8.4: the kernel reports replication as max(WFReportParams, cstate), which drbd_repl_str9
 * prints as Off (and Connected as Established). The key has `conn-name:peer` only while the
 * connection has a peer address: a StandAlone connection is listed without it.
 */
function objects84(r: DrbdView): EventObject[] {
  const replication = r.cstate === 'Connected' ? 'Established' : 'Off';
  const connKey = `connection name:${r.name} peer-node-id:0`;
  const pdKey = `peer-device name:${r.name} peer-node-id:0`;
  const standalone = r.cstate === 'StandAlone';
  const keyed = (base: string, rest: string): Pick<EventObject, 'key' | 'keyWithPeer'> =>
    standalone ? { key: `${base}${rest}`, keyWithPeer: `${base} conn-name:peer${rest}` } : { key: `${base} conn-name:peer${rest}` };
  return [
    { key: `resource name:${r.name}`, groups: [[['role', r.role]], [['suspended', 'no']]] },
    { ...keyed(connKey, ''), roleAfterConnect: true, groups: [[['connection', conn9(r)]], [['role', r.peerRole]]] },
    { key: `device name:${r.name} volume:0 minor:${r.minor}`, groups: [[['disk', r.disk]]] },
    { ...keyed(pdKey, ' volume:0'), groups: [[['replication', replication]], [['peer-disk', r.peerDisk]], [['resync-suspended', 'no']]] },
  ];
}

/**
 * Objects in the order 9.22.0's print_changes prints one resource: the resource, its connections,
 * its devices, then per connection its peer devices and its paths. The 9.0.32 kernel lists paths
 * in the initial dump (drbd_nl.c get_initial_state), so "exists path" lines are printed. A path is
 * keyed by its addresses, the `.res` file's `address` lines: address_str prints "ipv4:ADDR:PORT".
 */
function objects9(r: DrbdView, k: Kernel9 = settled9(r)): EventObject[] {
  const pid = r.peerNodeId;
  const promotion = promotion9(k);
  return [
    {
      key: `resource name:${r.name}`,
      groups: [[['role', k.role]], [['suspended', 'no']], [['force-io-failures', 'no']], [['may_promote', promotion.may ? 'yes' : 'no'], ['promotion_score', String(promotion.score)]]],
    },
    { key: `connection name:${r.name} peer-node-id:${pid} conn-name:${r.peer}`, groups: [[['connection', k.connection]], [['role', k.peerRole]]] },
    {
      key: `device name:${r.name} volume:0 minor:${r.minor}`,
      groups: [[['backing_dev', k.disk === 'Diskless' ? 'none' : `/dev/vg0/${r.name}`], ['disk', k.disk], ['client', 'no'], ['quorum', 'yes']]],
    },
    {
      key: `peer-device name:${r.name} peer-node-id:${pid} conn-name:${r.peer} volume:0`,
      groups: [[['replication', k.replication]], [['peer-disk', k.peerDisk], ['peer-client', 'no']], [['resync-suspended', 'no']]],
    },
    {
      key: `path name:${r.name} peer-node-id:${pid} conn-name:${r.peer} local:ipv4:${r.address}:${r.port} peer:ipv4:${r.peerAddress}:${r.port}`,
      path: true,
      groups: [[['established', k.pathEstablished ? 'yes' : 'no']]],
    },
  ];
}

export function eventObjects(v: HostDrbdView | null): EventObject[] {
  if (!v || !v.loaded) return [];
  return v.resources.flatMap((r) => (v.major === '9' ? objects9(r) : objects84(r)));
}

/** what events2 prints next: the objects after one kernel state change, or helper lines */
export type EventStep = { readonly objects: readonly EventObject[] } | { readonly lines: readonly string[]; readonly resource: string };

/**
 * The steps between two of the sim's states, `after`'s objects last. DRBD 9 passes through states
 * the sim does not hold (events2-9-steps.ts); each resource's connection notices a loss on its own
 * (its own ack receiver's ping), in an order no sim state tells, so the sim takes the resources one
 * after the other. The 8.4 renderer below keeps its own order for what the 8.4 kernel announces.
 */
export function eventSteps(before: HostDrbdView | null, after: HostDrbdView | null): EventStep[] {
  const last: EventStep = { objects: eventObjects(after) };
  if (!after || !after.loaded || after.major !== '9' || !before) return [last];
  const was = new Map(before.resources.map((r) => [r.name, r]));
  let current = eventObjects(before);
  const out: EventStep[] = [];
  for (const r of after.resources) {
    const old = was.get(r.name);
    if (!old) continue;
    const steps = steps9(old, r);
    // a resource this change left as it was prints nothing: rebuilding the list for it made every
    // commit cost each Dom0 its resources squared, for every Dom0 of the fleet
    const only = steps.length === 1 ? steps[0] : undefined;
    if (only !== undefined && !('helper' in only) && JSON.stringify(objects9(r, only)) === JSON.stringify(objects9(old))) continue;
    for (const step of steps) {
      if ('helper' in step) {
        out.push({ lines: helperLines9(r, step), resource: r.name });
        continue;
      }
      const mine = (o: EventObject): boolean => o.key.split(' ')[1] === `name:${r.name}`;
      const found = current.findIndex(mine);
      const others = current.filter((o) => !mine(o));
      const at = found < 0 ? others.length : found;
      current = [...others.slice(0, at), ...objects9(r, step), ...others.slice(at)];
      out.push({ objects: current });
    }
  }
  return [...out, last];
}

const fields = (groups: EventObject['groups']): string => groups.flat().map(([k, v]) => ` ${k}:${v}`).join('');

/** "2025-01-01T00:00:00.000000+00:00 " — the sim's clock is UTC */
export function timestampPrefix(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}T${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}.${p(d.getUTCMilliseconds() * 1000, 6)}+00:00 `;
}

export function renderEventsDump(objs: readonly EventObject[], ts: string): string {
  return objs.map((o) => `${ts}exists ${o.key}${fields(o.groups)}\n`).join('') + `${ts}exists -\n`;
}

/**
 * The live lines between two states. A DRBD 8.4 connection going StandAlone is announced under
 * its key with the peer: the change, then its peer device's and its own destroy (the kernel drops
 * the network config after announcing them), and no live line lists it without the peer.
 * `drbdadm connect` announces it again: create (still StandAlone), Unconnected, then what follows.
 */
export function renderEventsDiff(before: readonly EventObject[], after: readonly EventObject[], ts: string): string {
  const paths = pathLines(before.filter((o) => o.path), after.filter((o) => o.path), ts);
  return paths.up + stateLines(before.filter((o) => !o.path), after.filter((o) => !o.path), ts) + paths.down;
}

/**
 * A path coming up is printed before the state change it leads to, one going down after. A path
 * is destroyed only with its connection (del_connection), whose destroy the kernel announces first:
 * 9.22.0's events2 then knows no connection to drop the path from and prints no line for it.
 */
function pathLines(before: readonly EventObject[], after: readonly EventObject[], ts: string): { up: string; down: string } {
  let up = '';
  let down = '';
  for (const o of after) {
    const text = diffByKey(before.filter((b) => b.key === o.key), [o], ts);
    if (o.groups.some((g) => g.some(([k, v]) => k === 'established' && v === 'yes'))) up += text;
    else down += text;
  }
  return { up, down };
}

function stateLines(before: readonly EventObject[], after: readonly EventObject[], ts: string): string {
  const wentStandAlone = after.filter((o) => o.keyWithPeer !== undefined && before.some((b) => b.key === o.keyWithPeer));
  const cameBack = before.filter((o) => o.keyWithPeer !== undefined && after.some((a) => a.key === o.keyWithPeer));
  let out = '';
  for (const o of cameBack) out += `${ts}create ${withPeer(o).key}${fields(o.groups)}\n`;
  for (const o of cameBack) if (o.key.startsWith('connection ')) out += `${ts}change ${withPeer(o).key} connection:Unconnected\n`;
  const from = before.map((o) => (cameBack.includes(o) ? unconnected(withPeer(o)) : o));
  out += diffByKey(from, after.map((o) => (wentStandAlone.includes(o) ? withPeer(o) : o)), ts);
  for (const o of [...wentStandAlone].reverse()) out += `${ts}destroy ${withPeer(o).key}\n`;
  return out;
}

const withPeer = (o: EventObject): EventObject => (o.keyWithPeer === undefined ? o : { ...o, key: o.keyWithPeer, keyWithPeer: undefined });
const unconnected = (o: EventObject): EventObject =>
  o.key.startsWith('connection ') ? { ...o, groups: o.groups.map((g) => g.map(([k, v]) => [k, k === 'connection' ? 'Unconnected' : v] as const)) } : o;

function diffByKey(before: readonly EventObject[], after: readonly EventObject[], ts: string): string {
  const old = new Map(before.map((o) => [o.key, o]));
  const now = new Map(after.map((o) => [o.key, o]));
  let out = '';
  for (const o of after) {
    const prev = old.get(o.key);
    if (!prev) {
      out += `${ts}create ${o.key}${fields(o.groups)}\n`;
      continue;
    }
    const changed = o.groups.filter((g, i) => JSON.stringify(g) !== JSON.stringify(prev.groups[i]));
    const cameUp = o.roleAfterConnect === true && changed.length > 1 && changed.some((g) => g.some(([k, v]) => k === 'connection' && v === 'Connected'));
    if (cameUp) for (const g of changed) out += `${ts}change ${o.key}${fields([g])}\n`;
    else if (changed.length) out += `${ts}change ${o.key}${fields(changed)}\n`;
  }
  // destroy in reverse creation order: peer-device, device, connection, resource
  for (const o of [...before].reverse()) if (!now.has(o.key)) out += `${ts}destroy ${o.key}\n`;
  return out;
}
