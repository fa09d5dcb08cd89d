import type { Events2Event, Events2Line } from '../parse/events2.js';
import {
  DRBD_SYNC_STATES,
  type DrbdConnectionWord,
  type DrbdDiskState,
  type DrbdReplicationWord,
  type DrbdRole,
} from '../../shared/drbd-words.js';

/**
 * DRBD state kept from `drbdsetup events2` lines: pure `(state, line) => state`, never mutating.
 * `change` lines carry only what changed, so every update merges into what is known; a `change`
 * for an object never seen creates it (drbd-utils' own tests show change-before-exists).
 * Connections are keyed by peer node id (`node-id:N`), else by conn-name. Not by conn-name first:
 * DRBD 8.4 (which fakes peer-node-id:0) prints `conn-name:peer` only while the connection has a
 * network config, so the StandAlone connection an initial dump lists and the one `drbdadm
 * connect` then creates differ in conn-name and are one connection.
 */

export interface DrbdPeerDeviceState {
  readonly volume: number;
  readonly replication: DrbdReplicationWord | null;
  readonly peerDisk: DrbdDiskState | null;
  /** resync/verify progress; cleared when replication leaves the sync states */
  readonly donePercent: number | null;
  readonly fields: Readonly<Record<string, string>>;
}

export interface DrbdConnectionState {
  readonly key: string;
  readonly connName: string | null;
  readonly peerNodeId: number | null;
  readonly connection: DrbdConnectionWord | null;
  /** the peer's role; Unknown/null is never Secondary */
  readonly role: DrbdRole | null;
  readonly fields: Readonly<Record<string, string>>;
  readonly peerDevices: ReadonlyMap<number, DrbdPeerDeviceState>;
}

export interface DrbdDeviceState {
  readonly volume: number;
  readonly minor: number | null;
  readonly disk: DrbdDiskState | null;
  readonly fields: Readonly<Record<string, string>>;
}

export interface DrbdResourceState {
  readonly name: string;
  readonly role: DrbdRole | null;
  readonly suspended: string | null;
  readonly fields: Readonly<Record<string, string>>;
  readonly devices: ReadonlyMap<number, DrbdDeviceState>;
  readonly connections: ReadonlyMap<string, DrbdConnectionState>;
}

export interface DrbdState {
  /** `exists -` seen: the initial dump is complete and the state is whole */
  readonly initialDone: boolean;
  /** events were lost (`- skipped N`): restart the stream and rebuild from a fresh dump */
  readonly stale: boolean;
  readonly resources: ReadonlyMap<string, DrbdResourceState>;
}

export const emptyDrbdState: DrbdState = { initialDone: false, stale: false, resources: new Map() };

const connKey = (e: Events2Event): string => (e.peerNodeId !== null ? `node-id:${String(e.peerNodeId)}` : (e.connName ?? ''));

const withSet = <K, V>(m: ReadonlyMap<K, V>, k: K, v: V): ReadonlyMap<K, V> => new Map(m).set(k, v);
const without = <K, V>(m: ReadonlyMap<K, V>, k: K): ReadonlyMap<K, V> => {
  const n = new Map(m);
  n.delete(k);
  return n;
};
/** identifying keys are part of the object's address, not its state */
const ID_KEYS = new Set(['name', 'peer-node-id', 'conn-name', 'volume', 'minor']);
const mergeFields = (old: Readonly<Record<string, string>>, e: Events2Event): Readonly<Record<string, string>> => {
  const out = new Map(Object.entries(old));
  for (const [k, v] of Object.entries(e.fields)) if (!ID_KEYS.has(k)) out.set(k, v);
  return Object.fromEntries(out);
};

/**
 * A connection word meaning the link is up. `WFReportParams` is the name DRBD 9 pre-releases (and
 * 8.4's connection level) used for what is now `Connected`: drbd-utils maps one to the other
 * (drbd_conn_str9, user/v84/drbdsetup.c).
 */
const linkUp = (connection: DrbdConnectionWord | null): boolean => connection === 'Connected' || connection === 'WFReportParams';

/**
 * What a peer volume is once its connection is down: replication Off, the peer's disk unknown and
 * no resync progress. Nothing promises a peer-device line after a connection change (real streams
 * have ended a connection without one), and without this the last UpToDate or done % would
 * outlive the link. `fields` still hold the last values the tool printed.
 */
const cutOff = (pd: DrbdPeerDeviceState): DrbdPeerDeviceState => ({ ...pd, replication: 'Off', peerDisk: 'DUnknown', donePercent: null });

const mapValues = <K, V>(m: ReadonlyMap<K, V>, f: (v: V) => V): ReadonlyMap<K, V> => new Map([...m].map(([k, v]) => [k, f(v)]));

function newResource(name: string): DrbdResourceState {
  return { name, role: null, suspended: null, fields: {}, devices: new Map(), connections: new Map() };
}

export function reduceDrbd(state: DrbdState, line: Events2Line): DrbdState {
  if (line.kind === 'initial-done') return { ...state, initialDone: true };
  if (line.kind === 'skipped') return { ...state, stale: true };
  const e = line;
  if (e.object === 'helper' || e.object === 'path') return state; // no state we keep
  const res = state.resources.get(e.name);

  if (e.object === 'resource') {
    if (e.verb === 'destroy') return { ...state, resources: without(state.resources, e.name) };
    if (e.verb === 'rename') {
      if (!res || e.newName === null) return state;
      const renamed = { ...res, name: e.newName };
      return { ...state, resources: withSet(without(state.resources, e.name), e.newName, renamed) };
    }
    const base = res ?? newResource(e.name);
    const next: DrbdResourceState = {
      ...base,
      role: e.state.role ?? base.role,
      suspended: e.state.suspended ?? base.suspended,
      fields: mergeFields(base.fields, e),
    };
    return { ...state, resources: withSet(state.resources, e.name, next) };
  }

  // Objects below a resource: a destroy for an unknown resource changes nothing.
  if (e.verb === 'destroy' && !res) return state;
  const base = res ?? newResource(e.name);
  const next = reduceChild(base, e);
  return next === base ? state : { ...state, resources: withSet(state.resources, e.name, next) };
}

function reduceChild(res: DrbdResourceState, e: Events2Event): DrbdResourceState {
  if (e.object === 'device') {
    const vol = e.volume ?? 0;
    if (e.verb === 'destroy') return res.devices.has(vol) ? { ...res, devices: without(res.devices, vol) } : res;
    const old = res.devices.get(vol) ?? { volume: vol, minor: null, disk: null, fields: {} };
    const dev: DrbdDeviceState = { ...old, minor: e.minor ?? old.minor, disk: e.state.disk ?? old.disk, fields: mergeFields(old.fields, e) };
    return { ...res, devices: withSet(res.devices, vol, dev) };
  }

  const key = connKey(e);
  const conn: DrbdConnectionState = res.connections.get(key) ?? {
    key,
    connName: e.connName,
    peerNodeId: e.peerNodeId,
    connection: null,
    role: null,
    fields: {},
    peerDevices: new Map(),
  };

  if (e.object === 'connection') {
    if (e.verb === 'destroy') return res.connections.has(key) ? { ...res, connections: without(res.connections, key) } : res;
    const connection = e.state.connection ?? conn.connection;
    const next: DrbdConnectionState = {
      ...conn,
      connName: e.connName ?? conn.connName,
      peerNodeId: e.peerNodeId ?? conn.peerNodeId,
      connection,
      role: e.state.role ?? conn.role,
      fields: mergeFields(conn.fields, e),
      peerDevices: e.state.connection !== undefined && !linkUp(connection) ? mapValues(conn.peerDevices, cutOff) : conn.peerDevices,
    };
    return { ...res, connections: withSet(res.connections, key, next) };
  }

  // peer-device
  const vol = e.volume ?? 0;
  if (e.verb === 'destroy') {
    if (!conn.peerDevices.has(vol)) return res;
    return { ...res, connections: withSet(res.connections, key, { ...conn, peerDevices: without(conn.peerDevices, vol) }) };
  }
  const old = conn.peerDevices.get(vol) ?? { volume: vol, replication: null, peerDisk: null, donePercent: null, fields: {} };
  const replication = e.state.replication ?? old.replication;
  // done: is printed only while sync details exist; once the resync ends, the old figure is stale.
  const inSync = replication !== null && DRBD_SYNC_STATES.has(replication);
  const donePercent = e.state.done !== undefined ? e.state.done : inSync ? old.donePercent : null;
  const pd: DrbdPeerDeviceState = { ...old, replication, peerDisk: e.state.peerDisk ?? old.peerDisk, donePercent, fields: mergeFields(old.fields, e) };
  const nextConn = { ...conn, peerDevices: withSet(conn.peerDevices, vol, pd) };
  return { ...res, connections: withSet(res.connections, key, nextConn) };
}

/** Folds a whole sequence (a captured stream, a test). */
export const reduceDrbdAll = (lines: readonly Events2Line[], from: DrbdState = emptyDrbdState): DrbdState => lines.reduce(reduceDrbd, from);
