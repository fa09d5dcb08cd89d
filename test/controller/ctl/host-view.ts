import type { HostView } from '../../../shared/protocol/ctl-api.js';

/** One Dom0 as the controller's hosts answer shows it: reachable, online, reporting a current view; O over that. */
export const hostView = (name: string, o: Partial<HostView> = {}): HostView => ({
  host: name,
  reachable: true,
  linkUp: true,
  lastSeen: 1_000,
  ageMs: 1_000,
  bootId: 'b',
  agentVersion: '1',
  toolstack: 'xl',
  memory: { totalMiB: 8192, freeMiB: 4096 },
  maintenance: { state: 'online', operationId: null, owner: null },
  maintenanceSince: null,
  domains: 0,
  homes: 1,
  reported: true,
  view: 'current',
  ...o,
});
