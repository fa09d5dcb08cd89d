import { parseMigrateTab } from '../parse/migrate-tab.js';
import type { HostFiles } from '../host/files.js';
import { ResHosts, scanDomuConfigs } from '../host/domu-config-scan.js';
import type { Inventory } from '../../shared/inventory.js';
import type { DomuConfigDialect } from '../parse/domu-config.js';

type InventoryProblem = Inventory['problems'][number];

/**
 * Standby replicas: domUs homed on another Dom0 whose disks this host replicates. Their config
 * sits in the config dir (`<configDir>/NAME.cfg`, /etc/xen by default) and every one of their DRBD
 * resources has a `.res` file here with an `on THIS-HOST {}` section. "What is replicated here?"
 * is what an operator asks first; without this they would show nowhere on the host that would
 * take them over.
 *
 * A read that fails is a problem, never "not a standby": a config that does not parse, or a
 * `.res` file that exists but cannot be read, may hide one.
 */
export interface StandbyFound {
  readonly name: string;
  readonly configPath: string;
  readonly drbdResources: readonly string[];
  /** the other host of its resources, when the `.res` files name exactly one */
  readonly home: string | null;
  /** every other host the `.res` files name */
  readonly otherHosts: readonly string[];
}

export interface StandbyOptions {
  /** this Dom0's name as its `.res` files write it (`xl info` host) */
  readonly host: string;
  readonly configDir: string;
  readonly drbdConfigDir: string;
  readonly migrateTab: string;
  /** domUs whose config is in this host's guarded dir: homed here (or shown as guarded) */
  readonly guardedNames: ReadonlySet<string>;
  /** whose rules the configs are read by: this host's toolstack's, which would start them */
  readonly dialect: DomuConfigDialect;
}

/** The domUs this host's migrate-tab makes it the home of; a tab that cannot be read is a problem. */
async function tabHomes(files: HostFiles, path: string, problems: InventoryProblem[]): Promise<ReadonlySet<string>> {
  const text = await files.readText(path);
  if (!text.ok) {
    if (text.error.errno !== 'ENOENT') problems.push({ code: text.error.code, source: path, message: `${text.error.message}: which domUs are homed here is unknown, so a standby list may include some` });
    return new Set();
  }
  const tab = parseMigrateTab(text.value, files.display(path));
  if (!tab.ok) {
    problems.push({ code: tab.error.code, source: path, message: `${tab.error.message} (until it is fixed, a standby list may include domUs the tab makes homed here)` });
    return new Set();
  }
  return new Set(tab.value.byDomu.keys());
}

export async function readStandby(files: HostFiles, o: StandbyOptions): Promise<{ found: StandbyFound[]; problems: InventoryProblem[] }> {
  const problems: InventoryProblem[] = [];
  const homedHere = new Set([...o.guardedNames, ...(await tabHomes(files, o.migrateTab, problems))]);
  const scanned = await scanDomuConfigs(files, o.configDir, new ResHosts(files, o.drbdConfigDir, problems), problems, o.dialect);
  const found: StandbyFound[] = [];
  for (const s of scanned) {
    const c = s.config;
    if (homedHere.has(c.name) || s.resources.length === 0) continue;
    // a standby holds a replica of every resource: only then could the domU run here
    if (!s.resources.every((r) => r.hosts !== null && r.hosts.includes(o.host))) continue;
    const others = [...new Set(s.resources.flatMap((r) => r.hosts ?? []).filter((h) => h !== o.host))].sort();
    found.push({ name: c.name, configPath: s.path, drbdResources: s.resources.map((r) => r.name), home: others.length === 1 ? (others[0] as string) : null, otherHosts: others });
  }
  return { found: found.sort((a, b) => a.name.localeCompare(b.name)), problems };
}
