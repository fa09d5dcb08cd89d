import type { DrbdResourceView } from '../../shared/inventory.js';
import { worstDisk, type DrbdConnectionWord, type DrbdDiskState, type DrbdReplicationWord, type DrbdRole } from '../../shared/drbd-words.js';

/** One peer connection as any DRBD source reports it (drbdadm status, or the events2 state). */
export interface PeerFacts {
  readonly name: string;
  readonly connection: DrbdConnectionWord | null;
  /** the peer's role as last reported; status prints none while not connected */
  readonly role: DrbdRole | null;
  readonly peerDisks: ReadonlyArray<DrbdDiskState | null>;
  readonly replications: ReadonlyArray<DrbdReplicationWord | null>;
  readonly donePercents: ReadonlyArray<number | null>;
  /**
   * per volume, DRBD 9's `peer-client:` (status and events2 print it beside `peer-disk:`): true for
   * a peer diskless by its configuration (`disk none`, a tiebreaker), false or null otherwise;
   * absent where the tool has no such word (8.4)
   */
  readonly clients?: ReadonlyArray<boolean | null>;
}

export interface ResourceFacts {
  readonly name: string;
  readonly role: DrbdRole | null;
  readonly disks: ReadonlyArray<DrbdDiskState | null>;
  /** per volume, DRBD 9's `client:` beside a local `disk:Diskless` (as `clients` of PeerFacts); absent on 8.4 */
  readonly clients?: ReadonlyArray<boolean | null>;
  readonly peers: readonly PeerFacts[];
}

/**
 * The inventory view of one resource (shared/inventory.ts DrbdResourceView), the shape the
 * autostart decision reads, built the same way whatever the source:
 * - volumes fold into the worst disk (kernel order Diskless < … < UpToDate), so one Inconsistent
 *   volume can't hide behind UpToDate ones; `syncedPercent` is the lowest `done:`;
 * - a peer we are not connected to is "Unknown" (as 8.4's `drbdadm role` prints
 *   Secondary/Unknown) and its disk "DUnknown" — never "Secondary" — except that a peer last
 *   seen Primary stays Primary: losing the link does not make it safe. Whatever its volumes last
 *   said (UpToDate, a done %) is stale once the link is gone, so it is not shown;
 * - a replication word other than Established wins over Established ones; null means none was
 *   printed ("Off or Established" in DRBD 9's terse status);
 * - DRBD 9 pre-releases (the drbdsetup(8) examples) printed today's `Connected` as
 *   `WFReportParams` and `Established` as `Connected`; drbd-utils maps them the same way for 8.4
 *   (drbd_conn_str9, drbd_repl_str9), so they are read as today's words;
 * - a connected peer whose every volume is Diskless and `peer-client:yes` is `client`: it holds no
 *   copy by design (a quorum tiebreaker), where a detached disk reads Diskless with `peer-client:no`.
 */
export function buildResourceView(r: ResourceFacts): DrbdResourceView {
  const peers = r.peers.map((p): DrbdResourceView['peers'][number] => {
    const connection: DrbdConnectionWord | null = p.connection === 'WFReportParams' ? 'Connected' : p.connection;
    const connected = connection === 'Connected' || connection === null;
    const disk = connected ? worstDisk(p.peerDisks) : 'DUnknown';
    const clients = p.clients ?? [];
    const client = connected && disk === 'Diskless' && clients.length > 0 && clients.every((c) => c === true);
    return {
      name: p.name,
      role: connected ? p.role : p.role === 'Primary' ? 'Primary' : 'Unknown',
      connection,
      disk,
      // replication is Off by definition without a connection (events2 says so, status says nothing)
      replication: connected ? furthest(p.replications.map((w) => (w === 'Connected' ? 'Established' : w))) : null,
      syncedPercent: connected ? minOrNull(p.donePercents) : null,
      ...(client ? { client: true } : {}),
    };
  });
  const first = peers[0];
  const disk = worstDisk(r.disks);
  const clients = r.clients ?? [];
  // this Dom0 diskless by its configuration (`client:yes`): no disk of it to attach here
  const client = disk === 'Diskless' && clients.length > 0 && clients.every((c) => c === true);
  return {
    name: r.name,
    up: true,
    role: r.role,
    peerRole: first?.role ?? null,
    connection: first?.connection ?? null,
    disk,
    peerDisk: first?.disk ?? null,
    peers,
    ...(client ? { client: true } : {}),
  };
}

/** DRBD's `yes`/`no` (and `unknown` from a kernel too old to say): a boolean, or null when not known. */
export const yesNo = (word: string | undefined): boolean | null => (word === 'yes' ? true : word === 'no' ? false : null);

/** A configured resource the kernel does not have up. */
export const resourceViewDown = (name: string): DrbdResourceView => ({
  name,
  up: false,
  role: null,
  peerRole: null,
  connection: null,
  disk: null,
  peerDisk: null,
  peers: [],
});

function furthest(words: ReadonlyArray<DrbdReplicationWord | null>): DrbdReplicationWord | null {
  const printed = words.filter((w): w is DrbdReplicationWord => w !== null);
  return printed.find((w) => w !== 'Established') ?? printed[0] ?? null;
}

function minOrNull(xs: ReadonlyArray<number | null>): number | null {
  const nums = xs.filter((x): x is number => x !== null);
  return nums.length === 0 ? null : Math.min(...nums);
}
