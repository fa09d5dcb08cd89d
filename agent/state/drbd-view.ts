import type { DrbdResourceView } from '../../shared/inventory.js';
import { worstDisk } from '../parse/drbd-words.js';
import type { DrbdConnectionState, DrbdResourceState, DrbdState } from './drbd-reducer.js';

/**
 * The inventory view of one resource (the shape the autostart decision reads) from the state the
 * events2 reducer keeps. Same rules as the `drbdadm status` view (adapters/drbd-view.ts): volumes
 * fold into the worst disk, a peer we are not connected to is "Unknown" and never "Secondary",
 * and a replication word other than Established wins over Established ones.
 */
export function resourceViewFromEvents(res: DrbdResourceState): DrbdResourceView {
  const peers = [...res.connections.values()].map((c) => ({
    name: c.connName ?? c.key,
    role: c.connection !== 'Connected' ? (c.role === 'Primary' ? 'Primary' : 'Unknown') : c.role,
    connection: c.connection,
    disk: worstDisk([...c.peerDevices.values()].map((p) => p.peerDisk)),
    replication: replicationOf(c),
    syncedPercent: minOrNull([...c.peerDevices.values()].map((p) => p.donePercent)),
  }));
  const first = peers[0];
  return {
    name: res.name,
    up: true,
    role: res.role,
    peerRole: first?.role ?? null,
    connection: first?.connection ?? null,
    disk: worstDisk([...res.devices.values()].map((d) => d.disk)),
    peerDisk: first?.disk ?? null,
    peers,
  };
}

/**
 * Views for the named resources. Only meaningful once the initial dump is complete and the stream
 * has not lost events: then a resource events2 does not list is not up in the kernel. Otherwise
 * nothing is returned, so every domU using DRBD is deferred ("could not be read").
 */
export function viewsFromEvents(state: DrbdState, names: readonly string[]): Map<string, DrbdResourceView> {
  const out = new Map<string, DrbdResourceView>();
  if (!state.initialDone || state.stale) return out;
  for (const name of names) {
    const r = state.resources.get(name);
    out.set(name, r ? resourceViewFromEvents(r) : downView(name));
  }
  return out;
}

const downView = (name: string): DrbdResourceView => ({ name, up: false, role: null, peerRole: null, connection: null, disk: null, peerDisk: null, peers: [] });

function replicationOf(c: DrbdConnectionState): string | null {
  const words = [...c.peerDevices.values()].map((p) => p.replication).filter((r): r is NonNullable<typeof r> => r !== null);
  return words.find((w) => w !== 'Established') ?? words[0] ?? null;
}

function minOrNull(xs: ReadonlyArray<number | null>): number | null {
  const nums = xs.filter((x): x is number => x !== null);
  return nums.length === 0 ? null : Math.min(...nums);
}
