import { err, ok, type Result } from '../../shared/result.js';
import { parseFailure, type ParseFailure } from './parse-failure.js';
import { drbdDonePercent } from './drbd-done-percent.js';
import type {
  DrbdStatusConnection,
  DrbdStatusDevice,
  DrbdStatusPeerDevice,
  DrbdStatusResource,
} from './drbd-status-types.js';
import {
  isConnectionWord,
  isDisk,
  isReplicationWord,
  isRole,
  type DrbdConnectionWord,
  type DrbdDiskState,
  type DrbdReplicationWord,
  type DrbdRole,
} from '../../shared/drbd-words.js';

/** Tokens collected for one object, each remembering the line it came from (for failures). */
export type Fields = Map<string, { readonly value: string; readonly line: number; readonly text: string }>;

type Built<T> = Result<T, ParseFailure>;

const plain = (fields: Fields): Readonly<Record<string, string>> =>
  Object.fromEntries([...fields].map(([k, v]) => [k, v.value]));

/** A typed value: absent → null; present but not a known word → failure on its own line. */
function typed<T extends string>(
  tool: string,
  fields: Fields,
  key: string,
  guard: (w: string) => w is T,
  what: string,
): Built<T | null> {
  const f = fields.get(key);
  if (f === undefined) return ok(null);
  return guard(f.value) ? ok(f.value) : err(parseFailure(tool, f.line, f.text, `${key}: to be ${what}, got ${JSON.stringify(f.value)}`));
}

function uint(tool: string, fields: Fields, key: string): Built<number | null> {
  const f = fields.get(key);
  if (f === undefined) return ok(null);
  return /^\d{1,9}$/.test(f.value) ? ok(Number(f.value)) : err(parseFailure(tool, f.line, f.text, `${key}: to be a number`));
}

/** `done:%.2f`: null when absent or unknown (see drbdDonePercent) */
function percent(tool: string, fields: Fields, key: string): Built<number | null> {
  const f = fields.get(key);
  if (f === undefined) return ok(null);
  const p = drbdDonePercent(f.value);
  return p === undefined ? err(parseFailure(tool, f.line, f.text, `${key}: to be a percentage like 42.17`)) : ok(p);
}

export function buildDevice(tool: string, line: number, text: string, fields: Fields): Built<DrbdStatusDevice> {
  const volume = uint(tool, fields, 'volume');
  if (!volume.ok) return volume;
  const disk = typed<DrbdDiskState>(tool, fields, 'disk', isDisk, 'a disk state');
  if (!disk.ok) return disk;
  if (disk.value === null) return err(parseFailure(tool, line, text, 'disk: on a volume line'));
  return ok({ volume: volume.value ?? 0, disk: disk.value, fields: plain(fields) });
}

export function buildPeerDevice(tool: string, fields: Fields): Built<DrbdStatusPeerDevice> {
  const volume = uint(tool, fields, 'volume');
  if (!volume.ok) return volume;
  const replication = typed<DrbdReplicationWord>(tool, fields, 'replication', isReplicationWord, 'a replication state');
  if (!replication.ok) return replication;
  // `disk:` under a connection is the peer's disk in the pre-rename DRBD 9 format (drbd-status.ts).
  const peerDisk = typed<DrbdDiskState>(tool, fields, fields.has('peer-disk') ? 'peer-disk' : 'disk', isDisk, 'a disk state');
  if (!peerDisk.ok) return peerDisk;
  const done = percent(tool, fields, 'done');
  if (!done.ok) return done;
  return ok({
    volume: volume.value ?? 0,
    replication: replication.value,
    peerDisk: peerDisk.value,
    donePercent: done.value,
    fields: plain(fields),
  });
}

export function buildConnection(
  tool: string,
  name: string | null,
  fields: Fields,
  peerDevices: readonly DrbdStatusPeerDevice[],
): Built<DrbdStatusConnection> {
  const nodeId = uint(tool, fields, 'node-id');
  if (!nodeId.ok) return nodeId;
  const conn = typed<DrbdConnectionWord>(tool, fields, 'connection', isConnectionWord, 'a connection state');
  if (!conn.ok) return conn;
  const role = typed<DrbdRole>(tool, fields, 'role', isRole, 'a role');
  if (!role.ok) return role;
  return ok({
    name,
    nodeId: nodeId.value,
    // role: is printed only for a Connected peer (non-verbose); verbose prints both keys.
    connection: conn.value ?? (role.value !== null ? 'Connected' : null),
    role: role.value,
    fields: plain(fields),
    peerDevices,
  });
}

export function buildResource(
  tool: string,
  line: number,
  text: string,
  name: string,
  fields: Fields,
  devices: readonly DrbdStatusDevice[],
  connections: readonly DrbdStatusConnection[],
): Built<DrbdStatusResource> {
  const role = typed<DrbdRole>(tool, fields, 'role', isRole, 'a role');
  if (!role.ok) return role;
  if (role.value === null) return err(parseFailure(tool, line, text, 'role: on the resource line'));
  return ok({
    name,
    role: role.value,
    suspended: fields.get('suspended')?.value ?? null,
    fields: plain(fields),
    devices,
    connections,
  });
}
