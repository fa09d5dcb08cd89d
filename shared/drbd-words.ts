import * as z from 'zod';

/**
 * Every state word the DRBD tools print, taken from the string tables the tools use, never from
 * memory:
 *  - DRBD 8.4: drbd-utils user/v84/drbd_strings.c (drbd_conn_s_names, drbd_role_s_names,
 *    drbd_disk_s_names), the same table as the 8.4 kernel.
 *  - DRBD 9: drbd-headers drbd_strings.c (__conn_state_names, __repl_state_names,
 *    __role_state_names, __disk_state_names).
 * A word outside these lists is a parse failure: silently accepting it could turn an unknown peer
 * state into "safe to start".
 *
 * They live in shared/ because they are the types of the inventory view (shared/inventory.ts) as
 * well as of the parsers: the words keep their union types from the parser through the view into
 * the autostart decision, and a view read back from JSON is checked against the same lists.
 */

export const DRBD_ROLES = ['Primary', 'Secondary', 'Unknown'] as const;
export const DrbdRoleSchema = z.enum(DRBD_ROLES);
export type DrbdRole = z.infer<typeof DrbdRoleSchema>;

/** 8.4 `cs:` words: connection and replication are one state variable in 8.4. */
export const DRBD84_CONN_STATES = [
  'StandAlone', 'Disconnecting', 'Unconnected', 'Timeout', 'BrokenPipe', 'NetworkFailure', 'ProtocolError',
  'WFConnection', 'WFReportParams', 'TearDown', 'Connected', 'StartingSyncS', 'StartingSyncT', 'WFBitMapS',
  'WFBitMapT', 'WFSyncUUID', 'SyncSource', 'SyncTarget', 'PausedSyncS', 'PausedSyncT', 'VerifyS', 'VerifyT',
  'Ahead', 'Behind',
] as const;
export const Drbd84ConnStateSchema = z.enum(DRBD84_CONN_STATES);
export type Drbd84ConnState = z.infer<typeof Drbd84ConnStateSchema>;

/** DRBD 9 connection states (per peer). */
export const DRBD9_CONN_STATES = [
  'StandAlone', 'Disconnecting', 'Unconnected', 'Timeout', 'BrokenPipe', 'NetworkFailure', 'ProtocolError',
  'TearDown', 'Connecting', 'Connected',
] as const;

/** DRBD 9 replication states (per peer device). */
export const DRBD9_REPL_STATES = [
  'Off', 'Established', 'StartingSyncS', 'StartingSyncT', 'WFBitMapS', 'WFBitMapT', 'WFSyncUUID', 'SyncSource',
  'SyncTarget', 'VerifyS', 'VerifyT', 'PausedSyncS', 'PausedSyncT', 'Ahead', 'Behind',
] as const;

/**
 * What may follow `connection:` (status, events2) or be printed by `drbdadm cstate`. drbd-utils
 * talking to an 8.4 kernel maps WFConnection→Connecting and WFReportParams→Connected
 * (drbd_conn_str9 in user/v84/drbdsetup.c) and passes every other 8.4 word through, so the 8.4
 * words are legal here too.
 */
export const DRBD_CONNECTION_WORDS = [
  'StandAlone', 'Disconnecting', 'Unconnected', 'Timeout', 'BrokenPipe', 'NetworkFailure', 'ProtocolError',
  'TearDown', 'Connecting', 'Connected', 'WFConnection', 'WFReportParams', 'StartingSyncS', 'StartingSyncT',
  'WFBitMapS', 'WFBitMapT', 'WFSyncUUID', 'SyncSource', 'SyncTarget', 'PausedSyncS', 'PausedSyncT', 'VerifyS',
  'VerifyT', 'Ahead', 'Behind',
] as const satisfies ReadonlyArray<(typeof DRBD9_CONN_STATES)[number] | Drbd84ConnState>;
export const DrbdConnectionWordSchema = z.enum(DRBD_CONNECTION_WORDS);
export type DrbdConnectionWord = z.infer<typeof DrbdConnectionWordSchema>;

/**
 * What may follow `replication:`. With an 8.4 kernel drbd_repl_str9 maps WFReportParams→Off and
 * Connected→Established and passes the other 8.4 words through (a disconnected 8.4 peer device
 * prints e.g. `replication:WFConnection` in events2).
 */
export const DRBD_REPLICATION_WORDS = [
  'Off', 'Established', 'StartingSyncS', 'StartingSyncT', 'WFBitMapS', 'WFBitMapT', 'WFSyncUUID', 'SyncSource',
  'SyncTarget', 'VerifyS', 'VerifyT', 'PausedSyncS', 'PausedSyncT', 'Ahead', 'Behind', 'StandAlone',
  'Disconnecting', 'Unconnected', 'Timeout', 'BrokenPipe', 'NetworkFailure', 'ProtocolError', 'WFConnection',
  'WFReportParams', 'TearDown', 'Connected',
] as const satisfies ReadonlyArray<(typeof DRBD9_REPL_STATES)[number] | Drbd84ConnState>;
export const DrbdReplicationWordSchema = z.enum(DRBD_REPLICATION_WORDS);
export type DrbdReplicationWord = z.infer<typeof DrbdReplicationWordSchema>;

/** Disk states, in the kernel's enum order (8.4 lacks Detaching). The order is "worst first". */
export const DRBD_DISK_STATES = [
  'Diskless', 'Attaching', 'Detaching', 'Failed', 'Negotiating', 'Inconsistent', 'Outdated', 'DUnknown',
  'Consistent', 'UpToDate',
] as const;
export const DrbdDiskStateSchema = z.enum(DRBD_DISK_STATES);
export type DrbdDiskState = z.infer<typeof DrbdDiskStateSchema>;

/**
 * Connection words that say the link to that peer is not there (being set up, lost or refused):
 * nothing written since replicates. Every other word is a live link, in step or catching up.
 */
export const DRBD_LINK_DOWN: ReadonlySet<DrbdConnectionWord> = new Set<DrbdConnectionWord>([
  'StandAlone', 'Disconnecting', 'Unconnected', 'Timeout', 'BrokenPipe', 'NetworkFailure', 'ProtocolError', 'TearDown', 'Connecting', 'WFConnection',
]);

/** Replication states during which a `done:` percentage is meaningful (drbd.h: L_SYNC_SOURCE..L_PAUSED_SYNC_T). */
export const DRBD_SYNC_STATES: ReadonlySet<DrbdReplicationWord> = new Set<DrbdReplicationWord>([
  'SyncSource', 'SyncTarget', 'VerifyS', 'VerifyT', 'PausedSyncS', 'PausedSyncT',
]);

/** The lowest (worst) of several disk states, by kernel enum order; null for none. */
export function worstDisk(states: ReadonlyArray<DrbdDiskState | null>): DrbdDiskState | null {
  let worst: DrbdDiskState | null = null;
  for (const s of states) {
    if (s === null) continue;
    if (worst === null || DRBD_DISK_STATES.indexOf(s) < DRBD_DISK_STATES.indexOf(worst)) worst = s;
  }
  return worst;
}

/** Narrowing helpers: exact membership, no case folding (the tools never vary case). */
export const isRole = (w: string): w is DrbdRole => DrbdRoleSchema.safeParse(w).success;
export const isDisk = (w: string): w is DrbdDiskState => DrbdDiskStateSchema.safeParse(w).success;
export const isConnectionWord = (w: string): w is DrbdConnectionWord => DrbdConnectionWordSchema.safeParse(w).success;
export const isReplicationWord = (w: string): w is DrbdReplicationWord => DrbdReplicationWordSchema.safeParse(w).success;

/**
 * A peer's link state as the resource's own DRBD version prints it where its operator looks.
 *
 * DRBD 9: the connection word as given. DRBD 8.4 (its one connection is the one named "peer";
 * DRBD 9 names each after its host): /proc/drbd's `cs:` word, the one `drbdadm cstate` prints too
 * (drbd_strings.c drbd_conn_s_names, all 24). 8.4 keeps one state per volume; drbd-utils splits
 * it for `drbdadm status` and events2 (user/v84/drbdsetup.c): the connection shows the kernel's
 * connection-wide state, which stays at WFReportParams once the link is up, through drbd_conn_str9
 * (WFConnection → Connecting, WFReportParams → Connected), and each volume's replication shows
 * max(WFReportParams, its state) through drbd_repl_str9 (WFReportParams → Off, Connected →
 * Established). So, for an 8.4 peer:
 *  - Connecting is WFConnection; any other word but Connected is printed as it is;
 *  - Connected with replication Established is Connected, with Off, or none (terse status prints
 *    replication only past WFReportParams), is WFReportParams (the handshake), and with any other
 *    replication word (StartingSyncS … Behind) is that word.
 * REPLICATION is the peer's, as its view keeps it (Established or null for DRBD 9 at rest).
 */
export function connectionAsPrinted(peerName: string, word: string, replication: string | null): string {
  if (peerName !== 'peer') return word;
  if (word === 'Connecting') return 'WFConnection';
  if (word !== 'Connected') return word;
  if (replication === 'Established') return 'Connected';
  return replication === null || replication === 'Off' ? 'WFReportParams' : replication;
}

/**
 * Whether a peer's name names no host: DRBD 8.4 calls its one connection "peer", and an agent names
 * a connection the tools print no name for by node id ("node-id:0", the id 8.4 fakes when StandAlone).
 */
export const hostlessPeerName = (name: string): boolean => name === 'peer' || name.startsWith('node-id:');
