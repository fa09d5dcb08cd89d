import type { LinkDomuConfig } from '../../shared/protocol/agent-link-state.js';
import { DOMU_NAME_RE, DRBD_RESOURCE_RE, HOST_NAME_RE } from '../../shared/names.js';
import type { AgentConfig } from '../config/schema.js';
import type { DomuConfigDialect } from '../parse/domu-config.js';
import type { HostFiles } from './files.js';
import { ResHosts, scanDomuConfigs, type ScanProblem } from './domu-config-scan.js';

/**
 * Every domU this Dom0 holds a config for: the guarded dir's (started here after a boot) and the
 * config dir's (a visitor's, or the standby replica of a domU homed on the DRBD partner), each
 * with the hosts its DRBD resources name. What the controller needs to place a domU: a DRBD domU
 * can only run where every one of its resources has a replica. Read by DIALECT's rules, this
 * host's toolstack's.
 */
export async function readDomuConfigs(files: HostFiles, config: AgentConfig, dialect: DomuConfigDialect): Promise<LinkDomuConfig[]> {
  // unreadable configs are the inventory's to report; the controller gets what could be read
  const problems: ScanProblem[] = [];
  const res = new ResHosts(files, config.migration.drbdConfigDir, problems);
  const out = new Map<string, LinkDomuConfig>();
  const whole = (n: number | null): number | null => (n === null ? null : Math.max(0, Math.round(n)));
  for (const [dir, source] of [
    [config.guardedDir, 'guarded'],
    [config.migration.configDir, 'config-dir'],
  ] as const) {
    for (const s of await scanDomuConfigs(files, dir, res, problems, dialect)) {
      const c = s.config;
      if (!DOMU_NAME_RE.test(c.name) || out.has(c.name)) continue;
      const resources = s.resources
        .filter((r) => DRBD_RESOURCE_RE.test(r.name))
        .slice(0, 64)
        .map((r) => ({ name: r.name, hosts: (r.hosts ?? []).filter((h) => HOST_NAME_RE.test(h)).slice(0, 16) }));
      out.set(c.name, { name: c.name, source, memMiB: whole(c.memoryMiB), vcpus: whole(c.vcpus), resources });
    }
  }
  return [...out.values()].sort((a, b) => a.name.localeCompare(b.name));
}
