import type { DrbdResourceView } from '../../shared/inventory.js';
import type { DrbdStatusResource } from '../parse/drbd-status-types.js';
import { buildResourceView, yesNo } from '../state/resource-view.js';

export { resourceViewDown } from '../state/resource-view.js';

/** The inventory view of one resource from parsed `drbdadm status` (rules: state/resource-view.ts). */
export function resourceViewFromStatus(res: DrbdStatusResource): DrbdResourceView {
  return buildResourceView({
    name: res.name,
    role: res.role,
    disks: res.devices.map((d) => d.disk),
    clients: res.devices.map((d) => yesNo(d.fields['client'])),
    peers: res.connections.map((c) => ({
      name: c.name ?? `node-id:${String(c.nodeId)}`,
      connection: c.connection,
      role: c.role,
      peerDisks: c.peerDevices.map((p) => p.peerDisk),
      replications: c.peerDevices.map((p) => p.replication),
      donePercents: c.peerDevices.map((p) => p.donePercent),
      clients: c.peerDevices.map((p) => yesNo(p.fields['peer-client'])),
    })),
  });
}
