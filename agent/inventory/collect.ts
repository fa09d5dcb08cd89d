import type { DrbdResourceView, Inventory, InventoryDomain } from '../../shared/inventory.js';
import type { XhError } from '../../shared/errors.js';
import type { Clock } from '../../shared/clock/clock.js';
import { realClock } from '../../shared/clock/real-clock.js';
import { createDrbdAdapter } from '../adapters/drbd.js';
import { kernelHostName } from '../adapters/host-identity.js';
import { procDrbdReader } from '../host/proc-drbd.js';
import type { ToolRunner } from '../adapters/exec.js';
import type { HostFiles } from '../host/files.js';
import { openToolstack } from '../adapters/toolstack.js';
import type { AgentConfig } from '../config/schema.js';
import type { XenInfo } from '../parse/xl-info.js';
import { buildInventory, type InventoryParts, type InventoryProblem } from './build.js';
import { readGuardedConfigs } from '../host/guarded-configs.js';
import { readStandby } from './standby.js';

export interface CollectOptions {
  readonly run: ToolRunner;
  readonly files: HostFiles;
  /**
   * The agent config the daemon uses (guarded dir, toolstack, config and DRBD dirs, migrate-tab),
   * with the operator's command-line overrides already applied.
   */
  readonly config: AgentConfig;
  /** the config file read; null when the defaults apply */
  readonly configFile: string | null;
  /** true when the operator named the dir: then a missing dir is a problem, not "none here" */
  readonly guardedDirExplicit: boolean;
  /** when the inventory is taken (the wall clock by default) */
  readonly clock?: Clock;
}

const problem = (source: string, e: XhError): InventoryProblem => ({ code: e.code, source, message: e.message });

/** One read of this host with the real adapters: toolstack, domains, guarded and standby configs, DRBD. */
export async function collectInventory(opts: CollectOptions): Promise<Inventory> {
  const problems: InventoryProblem[] = [];
  const takenAt = new Date((opts.clock ?? realClock).now());
  const { config, files } = opts;
  const guardedDir = config.guardedDir;

  let toolstack: InventoryParts['toolstack'] = null;
  // null until listed: a toolstack that cannot list domains leaves them unknown, not absent
  let domains: InventoryDomain[] | null = null;
  const ts = await openToolstack({ run: opts.run, ...(config.toolstack ? { preferred: config.toolstack } : {}) });
  if (!ts.ok) problems.push(problem('toolstack', ts.error));
  else {
    const [list, info] = await Promise.all([ts.value.list(), ts.value.info()]);
    if (list.ok) domains = list.value;
    else problems.push(problem(`${ts.value.kind} list`, list.error));
    let xenInfo: XenInfo | null = null;
    if (info.ok) xenInfo = info.value;
    else problems.push(problem(`${ts.value.kind} info`, info.error));
    toolstack = { kind: ts.value.kind, info: xenInfo };
  }
  const host = toolstack?.info?.host ?? kernelHostName();
  // configs are read by the rules of this host's toolstack, which starts them; where none answered
  // (a problem above) the inventory still shows what they hold, so each is read by guessing its syntax
  const dialect = toolstack?.kind ?? 'auto';

  const guarded = await readGuardedConfigs(files, guardedDir, dialect);
  const guardedFiles = guarded.ok ? guarded.value : [];
  if (!guarded.ok) problems.push(problem(guardedDir, guarded.error));
  else if (guarded.value.length === 0 && opts.guardedDirExplicit) {
    const listed = await files.list(guardedDir);
    if (!listed.ok) problems.push(problem(guardedDir, listed.error));
  }
  const guardedNames = new Set(guardedFiles.map((f) => (f.config ? f.config.name : f.file.slice(f.file.lastIndexOf('/') + 1).replace(/\.cfg$/, ''))));
  const standby = await readStandby(files, {
    host,
    configDir: config.migration.configDir,
    drbdConfigDir: config.migration.drbdConfigDir,
    migrateTab: config.migration.migrateTab,
    guardedNames,
    dialect,
  });
  problems.push(...standby.problems);

  const drbdAdapter = createDrbdAdapter({ run: opts.run, readProcDrbd: procDrbdReader(files) });
  const avail = await drbdAdapter.availability();
  let drbd: InventoryParts['drbd'];
  if (!avail.ok) {
    // the check failed: whether DRBD is here is unknown, which is not "tools missing"
    problems.push(problem('drbd', avail.error));
    drbd = { availability: 'unknown', version: null, resources: [], unreadable: [] };
  } else if (avail.value.availability !== 'ok') {
    drbd = { availability: avail.value.availability, version: null, resources: [], unreadable: [] };
  } else {
    const names = [...new Set([...guardedFiles.flatMap((f) => (f.config ? f.config.drbdResources : [])), ...standby.found.flatMap((s) => s.drbdResources)])];
    const resources: DrbdResourceView[] = [];
    const unreadable: string[] = [];
    for (const name of names) {
      const r = await drbdAdapter.readResource(name);
      if (r.ok) resources.push(r.value);
      else {
        unreadable.push(name);
        problems.push(problem(`drbd resource ${name}`, r.error));
      }
    }
    drbd = { availability: 'ok', version: avail.value.version, resources, unreadable };
  }

  return buildInventory({
    fallbackHost: host,
    takenAt,
    configFile: opts.configFile,
    toolstack,
    domains,
    drbd,
    guardedDir,
    guardedFiles,
    configDir: config.migration.configDir,
    standby: standby.found,
    problems,
  });
}
