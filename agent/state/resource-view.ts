import type { DrbdResourceView } from '../../shared/inventory.js';
import { worstDisk, type DrbdDiskState } from '../parse/drbd-words.js';

/** One peer connection as any DRBD source reports it (drbdadm status, or the events2 state). */
export interface PeerFacts {
  readonly name: string;
  readonly connection: string | null;
  /** the peer's role as last reported; status prints none while not connected */
  readonly role: string | null;
  readonly peerDisks: ReadonlyArray<DrbdDiskState | null>;
  readonly replications: ReadonlyArray<string | null>;
  readonly donePercents: ReadonlyArray<number | null>;
}

export interface ResourceFacts {
  readonly name: string;
  readonly role: string | null;
  readonly disks: ReadonlyArray<DrbdDiskState | null>;
  readonly peers: readonly PeerFacts[];
}

/**
 * The inventory view of one resource (shared/inventory.ts DrbdResourceView), the shape the
 * autostart decision reads, built the same way whatever the source:
 * - volumes fold into the worst disk (kernel order Diskless < … < UpToDate), so one Inconsistent
 *   volume can't hide behind UpToDate ones; `syncedPercent` is the lowest `done:`;
 * - a peer we are not connected to is "Unknown" (as 8.4's `drbdadm role` prints
 *   Secondary/Unknown) and its disk "DUnknown" — never "Secondary" — except that a peer last
 *   seen Primary stays Primary: losing the link does not make it safe;
 * - a replication word other than Established wins over Established ones; null means none was
 *   printed ("Off or Established" in DRBD 9's terse status).
 */
export function buildResourceView(r: ResourceFacts): DrbdResourceView {
  const peers = r.peers.map((p) => {
    const connected = p.connection === 'Connected' || p.connection === null;
    return {
      name: p.name,
      role: connected ? p.role : p.role === 'Primary' ? 'Primary' : 'Unknown',
      connection: p.connection,
      disk: worstDisk(p.peerDisks) ?? (connected ? null : 'DUnknown'),
      // replication is Off by definition without a connection (events2 says so, status says nothing)
      replication: connected ? furthest(p.replications) : null,
      syncedPercent: minOrNull(p.donePercents),
    };
  });
  const first = peers[0];
  return {
    name: r.name,
    up: true,
    role: r.role,
    peerRole: first?.role ?? null,
    connection: first?.connection ?? null,
    disk: worstDisk(r.disks),
    peerDisk: first?.disk ?? null,
    peers,
  };
}

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

function furthest(words: ReadonlyArray<string | null>): string | null {
  const printed = words.filter((w): w is string => w !== null);
  return printed.find((w) => w !== 'Established') ?? printed[0] ?? null;
}

function minOrNull(xs: ReadonlyArray<number | null>): number | null {
  const nums = xs.filter((x): x is number => x !== null);
  return nums.length === 0 ? null : Math.min(...nums);
}
