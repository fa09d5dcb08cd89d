import type { DrbdResourceView } from '../../shared/inventory.js';
import type { DrbdStatusConnection, DrbdStatusResource } from '../parse/drbd-status-types.js';
import { worstDisk } from '../parse/drbd-words.js';

/**
 * The inventory view of one resource (shared/inventory.ts DrbdResourceView) from parsed
 * `drbdadm status`. The view has one disk per side, so several volumes fold into the worst one
 * (kernel enum order: Diskless < … < UpToDate): a single Inconsistent volume must not hide
 * behind an UpToDate one. `syncedPercent` is the lowest `done:` of the peer's volumes.
 */
export function resourceViewFromStatus(res: DrbdStatusResource): DrbdResourceView {
  const peers = res.connections.map((c) => {
    const connected = c.connection === 'Connected' || c.connection === null;
    return {
      name: c.name ?? `node-id:${String(c.nodeId)}`,
      // status prints a peer's role and disk only while connected; a peer we are not connected
      // to is "Unknown"/"DUnknown" to DRBD (8.4 `drbdadm role` says Secondary/Unknown, `dstate`
      // UpToDate/DUnknown), never "Secondary".
      role: c.role ?? (connected ? null : 'Unknown'),
      connection: c.connection,
      disk: worstDisk(c.peerDevices.map((p) => p.peerDisk)) ?? (connected ? null : 'DUnknown'),
      replication: furthestReplication(c),
      syncedPercent: minOrNull(c.peerDevices.map((p) => p.donePercent)),
    };
  });
  const first = peers[0];
  return {
    name: res.name,
    up: true,
    role: res.role,
    peerRole: first?.role ?? null,
    connection: first?.connection ?? null,
    disk: worstDisk(res.devices.map((d) => d.disk)),
    peerDisk: first?.disk ?? null,
    peers,
  };
}

/** A configured resource the kernel does not have (drbdsetup: "No such resource"). */
export function resourceViewDown(name: string): DrbdResourceView {
  return { name, up: false, role: null, peerRole: null, connection: null, disk: null, peerDisk: null, peers: [] };
}

function minOrNull(xs: ReadonlyArray<number | null>): number | null {
  const nums = xs.filter((x): x is number => x !== null);
  return nums.length === 0 ? null : Math.min(...nums);
}

/**
 * One replication word for the peer: a volume that is not Established (syncing, paused,
 * disconnected) wins over Established ones; null when no volume printed one ("Off or
 * Established" in DRBD 9's terse output).
 */
function furthestReplication(c: DrbdStatusConnection): string | null {
  const words = c.peerDevices.map((p) => p.replication).filter((r): r is NonNullable<typeof r> => r !== null);
  return words.find((w) => w !== 'Established') ?? words[0] ?? null;
}
