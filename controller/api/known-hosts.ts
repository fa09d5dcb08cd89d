import type { HostsAnswer } from '../../shared/protocol/ctl-api.js';

/** every host the controller knows (reported, or enrolled and not heard from yet), as spelled: what a typed host name is read against (fleet/host-spelling.ts) */
export const knownHosts = (core: { hosts(): HostsAnswer }): string[] => core.hosts().hosts.map((h) => h.host);
