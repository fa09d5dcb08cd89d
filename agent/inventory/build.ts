import {
  INVENTORY_SCHEMA_VERSION,
  type DrbdResourceView,
  type GuardedDomu,
  type Inventory,
  type InventoryDomain,
} from '../../shared/inventory.js';
import type { XenInfo } from '../parse/xl-info.js';
import type { GuardedConfigFile } from '../host/guarded-configs.js';

export interface InventoryProblem {
  readonly code: string;
  readonly source: string;
  readonly message: string;
}

/** Everything the collector read, already parsed; build() only arranges it. */
export interface InventoryParts {
  readonly fallbackHost: string;
  readonly takenAt: Date;
  readonly toolstack: { readonly kind: 'xl' | 'xm'; readonly info: XenInfo | null } | null;
  readonly domains: readonly InventoryDomain[];
  readonly drbd: {
    readonly availability: 'ok' | 'tools-missing' | 'module-not-loaded';
    readonly version: string | null;
    readonly resources: readonly DrbdResourceView[];
  };
  readonly guardedDir: string;
  readonly guardedFiles: readonly GuardedConfigFile[];
  readonly problems: readonly InventoryProblem[];
}

/** A guarded domU counts as here when a live domain carries its name, also mid-migration inbound. */
export function runsHere(name: string, domains: readonly InventoryDomain[]): boolean {
  return domains.some((d) => d.baseName === name && d.migration !== 'migratedaway' && d.state !== 'dying' && d.state !== 'stopped');
}

function guardedEntry(f: GuardedConfigFile, domains: readonly InventoryDomain[]): GuardedDomu {
  if (f.config === null) {
    const base = f.file.slice(f.file.lastIndexOf('/') + 1).replace(/\.cfg$/, '');
    return { name: base, configPath: f.file, memMiB: null, vcpus: null, drbdResources: [], runningHere: runsHere(base, domains), error: f.error.message };
  }
  const c = f.config;
  return {
    name: c.name,
    configPath: f.file,
    memMiB: c.memoryMiB,
    vcpus: c.vcpus,
    drbdResources: [...c.drbdResources],
    runningHere: runsHere(c.name, domains),
    error: null,
  };
}

export function buildInventory(parts: InventoryParts): Inventory {
  const info = parts.toolstack?.info ?? null;
  const guarded = parts.guardedFiles.map((f) => guardedEntry(f, parts.domains));
  const configProblems: InventoryProblem[] = parts.guardedFiles.flatMap((f) =>
    f.error === null ? [] : [{ code: f.error.code, source: f.file, message: f.error.message }],
  );
  const seen = new Map<string, string>();
  const duplicateProblems: InventoryProblem[] = [];
  for (const g of guarded) {
    const other = seen.get(g.name);
    if (other !== undefined && g.error === null) {
      duplicateProblems.push({ code: 'XH_ERR_CONFIG', source: g.configPath, message: `domU ${g.name} is also defined in ${other}: keep one file per domU in the guarded dir` });
    } else if (g.error === null) seen.set(g.name, g.configPath);
  }
  return {
    schema: INVENTORY_SCHEMA_VERSION,
    host: info?.host ?? parts.fallbackHost,
    takenAt: parts.takenAt.toISOString(),
    toolstack: parts.toolstack
      ? {
          kind: parts.toolstack.kind,
          xenVersion: info?.xenVersion ?? null,
          totalMemMiB: info?.totalMemoryMiB ?? null,
          freeMemMiB: info?.freeMemoryMiB ?? null,
          cpus: info?.nrCpus ?? null,
        }
      : null,
    domains: [...parts.domains],
    drbd: { availability: parts.drbd.availability, version: parts.drbd.version, resources: [...parts.drbd.resources] },
    guardedDir: parts.guardedDir,
    guarded,
    problems: [...parts.problems, ...configProblems, ...duplicateProblems],
  };
}
