import { resourcesOf } from './drbd-index.js';
import { hostAddress } from './host-address.js';
import type { DiskState, DrbdMajor, Role, SimState } from './types.js';

/** One host's view of one of its DRBD resources, in DRBD 8.4 vocabulary (renderers translate for 9). */
export interface DrbdView {
  readonly name: string;
  readonly minor: number;
  readonly port: number;
  readonly peer: string;
  /** node ids as the `.res` file numbers the nodes (`node-id 0;` for the first `on` section) */
  readonly nodeId: number;
  readonly peerNodeId: number;
  /** replication addresses, as the `.res` file's `address` lines (without the port) */
  readonly address: string;
  readonly peerAddress: string;
  readonly role: Role;
  /** 'Unknown' while not connected */
  readonly peerRole: Role | 'Unknown';
  /** 8.4 connection state names */
  readonly cstate: 'Connected' | 'WFConnection' | 'StandAlone';
  readonly disk: DiskState;
  readonly peerDisk: DiskState | 'DUnknown';
  /**
   * The data diverged (a split brain): a connection that ends in StandAlone ended in the
   * handshake's split-brain verdict, not in `drbdadm disconnect` (events2-9-steps.ts tells them
   * apart). Optional: views written out by hand in tests mean an ordinary pair.
   */
  readonly diverged?: boolean;
  /** the peer sits in StandAlone: a connection lost now was torn down by the peer's `drbdadm disconnect`, not by the network */
  readonly peerStandAlone?: boolean;
}

export interface HostDrbdView {
  readonly host: string;
  readonly major: DrbdMajor;
  readonly version: string;
  readonly loaded: boolean;
  /** resources up on this host, sorted by minor */
  readonly resources: readonly DrbdView[];
  /** resources configured for this host (in /etc/drbd.d) but not up */
  readonly configured: readonly string[];
}

export function isConnected(s: SimState, res: string): boolean {
  const r = s.drbd[res];
  if (!r || r.link !== 'connected' || r.standalone.length > 0) return false;
  return r.nodes.every((n) => r.replicas[n] !== undefined && s.hosts[n]?.power === 'on');
}

/**
 * Views already made, per resource record and host record (neither is changed in place): an
 * events2 watcher, /proc/drbd and each drbdadm call on a Dom0 ask for the same state's view, and
 * a commit that changed neither record (a xenstore write, a domU's start) leaves every view as it
 * was, the same object, which tells a watcher at once that nothing changed for its Dom0.
 */
const made = new WeakMap<SimState['drbd'], WeakMap<SimState['hosts'], Map<string, HostDrbdView | null>>>();

export function drbdViewFor(s: SimState, host: string): HostDrbdView | null {
  let perHosts = made.get(s.drbd);
  if (!perHosts) made.set(s.drbd, (perHosts = new WeakMap()));
  let views = perHosts.get(s.hosts);
  if (!views) perHosts.set(s.hosts, (views = new Map()));
  const known = views.get(host);
  if (known !== undefined) return known;
  const v = makeView(s, host);
  views.set(host, v);
  return v;
}

function makeView(s: SimState, host: string): HostDrbdView | null {
  const h = s.hosts[host];
  if (!h || h.power !== 'on' || h.drbd === null) return null;
  const resources: DrbdView[] = [];
  const configured: string[] = [];
  for (const r of resourcesOf(s, host)) {
    configured.push(r.name);
    const me = r.replicas[host];
    if (!me || !h.drbdModuleLoaded) continue;
    const peer = r.nodes[0] === host ? r.nodes[1] : r.nodes[0];
    const connected = isConnected(s, r.name);
    const peerRep = r.replicas[peer];
    resources.push({
      name: r.name,
      minor: r.minor,
      port: r.port,
      peer,
      nodeId: r.nodes.indexOf(host),
      peerNodeId: r.nodes.indexOf(peer),
      address: hostAddress(s, host),
      peerAddress: hostAddress(s, peer),
      role: me.role,
      peerRole: connected && peerRep ? peerRep.role : 'Unknown',
      cstate: connected ? 'Connected' : r.standalone.includes(host) ? 'StandAlone' : 'WFConnection',
      disk: me.disk,
      peerDisk: connected && peerRep ? peerRep.disk : 'DUnknown',
      diverged: r.diverged,
      peerStandAlone: r.standalone.includes(peer),
    });
  }
  resources.sort((a, b) => a.minor - b.minor);
  configured.sort();
  return { host, major: h.drbd, version: h.drbdVersion, loaded: h.drbdModuleLoaded, resources, configured };
}

/** whether two views of a Dom0 print the same: field by field, each resource's too */
export function sameDrbdView(a: HostDrbdView | null, b: HostDrbdView | null): boolean {
  if (a === b) return true;
  if (!a || !b) return false;
  if (a.host !== b.host || a.major !== b.major || a.version !== b.version || a.loaded !== b.loaded) return false;
  if (a.configured.length !== b.configured.length || a.configured.some((n, i) => n !== b.configured[i])) return false;
  return a.resources.length === b.resources.length && a.resources.every((r, i) => sameResource(r, b.resources[i]!));
}

// every field, the optional ones too: the Record makes a field added to DrbdView a compile error here until it is listed
const FIELDS: Readonly<Record<keyof DrbdView, true>> = {
  name: true, minor: true, port: true, peer: true, nodeId: true, peerNodeId: true, address: true, peerAddress: true,
  role: true, peerRole: true, cstate: true, disk: true, peerDisk: true, diverged: true, peerStandAlone: true,
};
const FIELD_NAMES = Object.keys(FIELDS) as (keyof DrbdView)[];

const sameResource = (a: DrbdView, b: DrbdView): boolean => FIELD_NAMES.every((k) => a[k] === b[k]);
