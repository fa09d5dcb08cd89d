import {
  INVENTORY_SCHEMA_VERSION,
  type DrbdResourceView,
  type GuardedDomu,
  type Inventory,
  type InventoryDomain,
  type ToolstackKind,
} from '../../shared/inventory.js';
import type { ErrorCode } from '../../shared/errors.js';
import type { XenInfo } from '../parse/xl-info.js';
import type { GuardedConfigFile } from '../host/guarded-configs.js';
import { configUnsafe } from '../decide/config-safety.js';
import type { StandbyFound } from './standby.js';

export interface InventoryProblem {
  readonly code: ErrorCode;
  readonly source: string;
  readonly message: string;
}

/** Everything the collector read, already parsed; build() only arranges it. */
export interface InventoryParts {
  readonly fallbackHost: string;
  readonly takenAt: Date;
  /** the agent config file the read used; null: the defaults */
  readonly configFile: string | null;
  readonly toolstack: { readonly kind: ToolstackKind; readonly info: XenInfo | null } | null;
  /** null: the toolstack could not list them */
  readonly domains: readonly InventoryDomain[] | null;
  readonly drbd: {
    readonly availability: Inventory['drbd']['availability'];
    readonly version: string | null;
    readonly resources: readonly DrbdResourceView[];
    readonly unreadable: readonly string[];
  };
  readonly guardedDir: string;
  readonly guardedFiles: readonly GuardedConfigFile[];
  readonly configDir: string;
  readonly standby: readonly StandbyFound[];
  readonly problems: readonly InventoryProblem[];
}

/**
 * A domU counts as here when a live domain carries its name, also mid-migration inbound; null when
 * the domains could not be listed (unknown is not "not running").
 */
export function runsHere(name: string, domains: readonly InventoryDomain[] | null): boolean | null {
  if (domains === null) return null;
  return domains.some((d) => d.baseName === name && d.migration !== 'migratedaway' && d.state !== 'dying' && d.state !== 'stopped');
}

function guardedEntry(f: GuardedConfigFile, domains: readonly InventoryDomain[] | null): GuardedDomu {
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
  const configProblems: InventoryProblem[] = parts.guardedFiles.flatMap((f) => {
    // the agent does not start it (decide/config-safety.ts): said here too, where an operator looks first
    const unsafe = configUnsafe(f.place);
    return [
      ...(f.error === null ? [] : [{ code: f.error.code, source: f.file, message: f.error.message }]),
      ...(unsafe === null ? [] : [{ code: 'XH_ERR_CONFIG' as const, source: f.file, message: unsafe }]),
    ];
  });
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
    config: parts.configFile,
    toolstack: parts.toolstack
      ? {
          kind: parts.toolstack.kind,
          xenVersion: info?.xenVersion ?? null,
          totalMemMiB: info?.totalMemoryMiB ?? null,
          freeMemMiB: info?.freeMemoryMiB ?? null,
          cpus: info?.nrCpus ?? null,
        }
      : null,
    domains: parts.domains === null ? null : [...parts.domains],
    drbd: { availability: parts.drbd.availability, version: parts.drbd.version, resources: [...parts.drbd.resources], unreadable: [...parts.drbd.unreadable] },
    guardedDir: parts.guardedDir,
    guarded,
    configDir: parts.configDir,
    standby: parts.standby.map((s) => ({ ...s, drbdResources: [...s.drbdResources], otherHosts: [...s.otherHosts], runningHere: runsHere(s.name, parts.domains) })),
    problems: [...parts.problems, ...configProblems, ...duplicateProblems],
  };
}
