import { hostname } from 'node:os';
import type { DrbdResourceView, Inventory, InventoryDomain } from '../../shared/inventory.js';
import type { XhError } from '../../shared/errors.js';
import { createDrbdAdapter, procDrbdReader } from '../adapters/drbd.js';
import type { ToolRunner } from '../adapters/exec.js';
import type { HostFiles } from '../adapters/host-files.js';
import { openToolstack, type ToolstackKind } from '../adapters/toolstack.js';
import type { XenInfo } from '../parse/xl-info.js';
import { buildInventory, type InventoryParts, type InventoryProblem } from './build.js';
import { readGuardedConfigs } from '../host/guarded-configs.js';

export interface CollectOptions {
  readonly run: ToolRunner;
  readonly files: HostFiles;
  readonly guardedDir: string;
  /** true when the operator named the dir: then a missing dir is a problem, not "none here" */
  readonly guardedDirExplicit: boolean;
  readonly toolstack?: ToolstackKind;
  readonly now?: () => Date;
}

const problem = (source: string, e: XhError): InventoryProblem => ({ code: e.code, source, message: e.message });

/** One read of this host with the real adapters: toolstack, domains, guarded configs, DRBD. */
export async function collectInventory(opts: CollectOptions): Promise<Inventory> {
  const problems: InventoryProblem[] = [];
  const takenAt = (opts.now ?? (() => new Date()))();

  let toolstack: InventoryParts['toolstack'] = null;
  let domains: InventoryDomain[] = [];
  const ts = await openToolstack({ run: opts.run, ...(opts.toolstack ? { preferred: opts.toolstack } : {}) });
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

  const guarded = await readGuardedConfigs(opts.files, opts.guardedDir);
  const guardedFiles = guarded.ok ? guarded.value : [];
  if (!guarded.ok) problems.push(problem(opts.guardedDir, guarded.error));
  else if (guarded.value.length === 0 && opts.guardedDirExplicit) {
    const listed = await opts.files.list(opts.guardedDir);
    if (!listed.ok) problems.push(problem(opts.guardedDir, listed.error));
  }

  const drbdAdapter = createDrbdAdapter({ run: opts.run, readProcDrbd: procDrbdReader(opts.files) });
  const avail = await drbdAdapter.availability();
  let drbd: InventoryParts['drbd'] = { availability: 'tools-missing', version: null, resources: [] };
  if (!avail.ok) problems.push(problem('drbd', avail.error));
  else if (avail.value.availability !== 'ok') {
    drbd = { availability: avail.value.availability, version: null, resources: [] };
  } else {
    const names = [...new Set(guardedFiles.flatMap((f) => (f.config ? f.config.drbdResources : [])))];
    const resources: DrbdResourceView[] = [];
    for (const name of names) {
      const r = await drbdAdapter.readResource(name);
      if (r.ok) resources.push(r.value);
      else problems.push(problem(`drbd resource ${name}`, r.error));
    }
    drbd = { availability: 'ok', version: avail.value.version, resources };
  }

  return buildInventory({ fallbackHost: hostname(), takenAt, toolstack, domains, drbd, guardedDir: opts.guardedDir, guardedFiles, problems });
}
