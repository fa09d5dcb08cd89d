import type { XhError } from '../../shared/errors.js';
import type { DrbdResourceView, InventoryDomain } from '../../shared/inventory.js';
import { err, ok, type Result } from '../../shared/result.js';
import type { DrbdAdapter } from '../adapters/drbd.js';
import type { Toolstack } from '../adapters/toolstack.js';
import { domuResources, type HostView } from '../host/homes.js';

/**
 * Where a domU is on this Dom0 right now, read for the question (the controller's `inspect`,
 * settling a migration that ended unclearly): its xl list rows, mid-migration ones included, and
 * `drbdadm status` of its DRBD resources — their role here and their peers'. A tool that fails
 * fails the read: an answer built from half the facts could settle a migration wrongly.
 */
export interface InspectDeps extends HostView {
  readonly toolstack: Toolstack;
  /** null: DRBD is not available here (reading it could load the module) */
  readonly drbd: DrbdAdapter | null;
}

export interface InspectFacts {
  readonly rows: InventoryDomain[];
  readonly resources: DrbdResourceView[];
}

/** `resources` null: unknown to the caller, read from NAME's config in the config dir (none: no DRBD here). */
export async function inspectDomu(d: InspectDeps, name: string, resources: readonly string[] | null): Promise<Result<InspectFacts, XhError>> {
  const list = await d.toolstack.list();
  if (!list.ok) return err({ code: list.error.code, message: list.error.message });
  const rows = list.value.filter((r) => r.baseName === name);
  const names = resources ?? (await domuResources(d, new Map(), name, d.toolstack.kind)) ?? [];
  if (d.drbd === null || names.length === 0) return ok({ rows, resources: [] });
  const views = await d.drbd.readResources(names);
  if (!views.ok) return err({ code: views.error.code, message: views.error.message });
  return ok({ rows, resources: views.value });
}
