import type { DrbdResourceView } from '../../shared/inventory.js';
import type { DrbdResourceState, DrbdState } from './drbd-reducer.js';
import { buildResourceView, resourceViewDown, yesNo } from './resource-view.js';

/** The inventory view of one resource from the events2 reducer's state (rules: resource-view.ts). */
export function resourceViewFromEvents(res: DrbdResourceState): DrbdResourceView {
  const devices = [...res.devices.values()];
  return buildResourceView({
    name: res.name,
    role: res.role,
    disks: devices.map((d) => d.disk),
    clients: devices.map((d) => yesNo(d.fields['client'])),
    peers: [...res.connections.values()].map((c) => {
      const pds = [...c.peerDevices.values()];
      return {
        name: c.connName ?? c.key,
        connection: c.connection,
        role: c.role,
        peerDisks: pds.map((p) => p.peerDisk),
        replications: pds.map((p) => p.replication),
        donePercents: pds.map((p) => p.donePercent),
        clients: pds.map((p) => yesNo(p.fields['peer-client'])),
      };
    }),
  });
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
    out.set(name, r ? resourceViewFromEvents(r) : resourceViewDown(name));
  }
  return out;
}
