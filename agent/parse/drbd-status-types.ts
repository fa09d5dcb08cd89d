import type { DrbdConnectionWord, DrbdDiskState, DrbdReplicationWord, DrbdRole } from '../../shared/drbd-words.js';

/**
 * `drbdadm status` / `drbdsetup status` (text) as data. Fields the tool did not print are null;
 * where drbd-utils omits a value on purpose the comment says what the omission means, so callers
 * do not have to re-derive the printing rules. `fields` keeps every `key:value` token as printed
 * (typed ones included), so nothing the tool said is lost.
 */
export interface DrbdStatusDevice {
  /** omitted by the tool only for a resource's single volume 0 */
  readonly volume: number;
  readonly disk: DrbdDiskState;
  readonly fields: Readonly<Record<string, string>>;
}

export interface DrbdStatusPeerDevice {
  readonly volume: number;
  /**
   * null: not printed. 9 prints it only above Established (so null is Off or Established);
   * the 8.4 compatibility output prints Established too.
   */
  readonly replication: DrbdReplicationWord | null;
  /** null: not printed, which the tool does only for Off + DUnknown */
  readonly peerDisk: DrbdDiskState | null;
  /** `done:` while resyncing or verifying; null when absent or printed as nan/inf */
  readonly donePercent: number | null;
  readonly fields: Readonly<Record<string, string>>;
}

export interface DrbdStatusConnection {
  /** the peer's name; `peer` on 8.4; null when the tool printed only `node-id:` */
  readonly name: string | null;
  readonly nodeId: number | null;
  /**
   * The tool prints `connection:` only when not Connected and `role:` only when Connected
   * (non-verbose), so this is `Connected` when only a role was printed. null when neither was
   * printed (an 8.4 connection in TearDown).
   */
  readonly connection: DrbdConnectionWord | null;
  /** the peer's role; null when not printed (not connected): unknown, never "Secondary" */
  readonly role: DrbdRole | null;
  readonly fields: Readonly<Record<string, string>>;
  /** printed only while connected */
  readonly peerDevices: readonly DrbdStatusPeerDevice[];
}

export interface DrbdStatusResource {
  readonly name: string;
  readonly role: DrbdRole;
  /** `suspended:` (no, user, no-data, fencing, quorum, comma-joined); null when not printed (= no) */
  readonly suspended: string | null;
  readonly fields: Readonly<Record<string, string>>;
  readonly devices: readonly DrbdStatusDevice[];
  readonly connections: readonly DrbdStatusConnection[];
}
