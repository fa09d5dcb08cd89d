import type { HomeEntry } from '../decide/home-claim.js';
import type { HostContext } from '../migrate/context.js';
import { readStandby } from '../inventory/standby.js';

/** The standby replicas on this Dom0 (domUs homed elsewhere whose config and DRBD resources are here), as the agent's config places them. */
export function standbyHere(c: HostContext, homes: ReadonlyMap<string, HomeEntry>): ReturnType<typeof readStandby> {
  const m = c.config.migration;
  return readStandby(c.files, { host: c.host, configDir: m.configDir, drbdConfigDir: m.drbdConfigDir, migrateTab: m.migrateTab, guardedNames: new Set(homes.keys()), dialect: c.toolstack.kind });
}
