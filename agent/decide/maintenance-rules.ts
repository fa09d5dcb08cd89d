import type { InventoryDomain } from '../../shared/inventory.js';
import { ONLINE, type Maintenance } from '../../shared/protocol/agent-link-state.js';
import { sameOwner } from '../../shared/owner-names.js';

/**
 * Who may change this host's maintenance flag, pure: the owner rules of the controller's
 * `maintenance` command (shared/protocol/agent-link-commands.ts), judged in their order over the
 * flag, its lease and xl list as the agent knows them. The core keeps the lease and writes the
 * flag; this only says yes or no, and why.
 */
export type MaintenanceState = Maintenance['state'];

export interface MaintenanceRequest {
  readonly state: MaintenanceState;
  readonly operationId: string;
  readonly owner: string;
  /** the states the sender saw: a compare-and-set, so a late renewal never undoes a newer change */
  readonly from: readonly MaintenanceState[];
  readonly leaseMs: number;
}

export interface MaintenanceFacts {
  readonly current: Maintenance;
  /** the current active state's lease still runs */
  readonly leaseLive: boolean;
  /** xl list here now; null when it cannot be read */
  readonly domains: readonly InventoryDomain[] | null;
}

export type MaintenanceVerdict =
  /** write `flag`; leaseMs null: the state keeps no lease (online, maintenance) */
  | { readonly ok: true; readonly rule: 2 | 5; readonly flag: Maintenance; readonly leaseMs: number | null }
  | { readonly ok: false; readonly rule: 1 | 3 | 4; readonly code: 'XH_ERR_REFUSED' | 'XH_ERR_LOCKED'; readonly message: string };

/** States an operation is still working in: their owner renews a lease, others wait for it to lapse. */
export const isActiveState = (s: MaintenanceState): boolean => s === 'draining' || s === 'restoring';

/** What keeps a host out of maintenance: every domain but Domain-0, mid-migration rows included; xm's defined-but-stopped rows (no domid) run nothing. */
export const occupants = (domains: readonly InventoryDomain[]): InventoryDomain[] => domains.filter((d) => d.name !== 'Domain-0' && d.domid !== null);

const describe = (m: Maintenance): string => `${m.state}${m.operationId ? ` (operation ${m.operationId}${m.owner ? `, owner ${m.owner}` : ''})` : m.owner ? ` (set by ${m.owner})` : ''}`;

export function judgeMaintenance(req: MaintenanceRequest, f: MaintenanceFacts): MaintenanceVerdict {
  const cur = f.current;
  // 1: the flag moved on since the sender looked (an operator set the host online meanwhile, say)
  if (!req.from.includes(cur.state)) {
    return { ok: false, rule: 1, code: 'XH_ERR_REFUSED', message: `the maintenance state is ${describe(cur)}, not ${req.from.join(' or ')} as the request expects: nothing changed` };
  }
  // 2: online is the operator's override and the end of a restore: never refused by an owner
  if (req.state === 'online') return { ok: true, rule: 2, flag: ONLINE, leaseMs: null };
  // 3: an operation in progress whose owner still renews it belongs to that owner
  if (isActiveState(cur.state) && f.leaseLive && (cur.operationId !== req.operationId || !sameOwner(cur.owner, req.owner))) {
    return { ok: false, rule: 3, code: 'XH_ERR_LOCKED', message: `the host is ${describe(cur)} and its lease still runs: another operation or controller holds it` };
  }
  // 4: maintenance means empty: a Dom0 about to be rebooted must run nothing
  if (req.state === 'maintenance') {
    if (f.domains === null) return { ok: false, rule: 4, code: 'XH_ERR_REFUSED', message: 'xl list cannot be read now, so it is not known that nothing runs here: not set to maintenance' };
    const left = occupants(f.domains);
    if (left.length > 0) {
      const names = left.slice(0, 10).map((d) => d.name).join(', ');
      return { ok: false, rule: 4, code: 'XH_ERR_REFUSED', message: `${left.length} domain(s) still run here (${names}${left.length > 10 ? ', ...' : ''}): maintenance needs an empty host` };
    }
  }
  // 5: accepted; only the active states keep a lease
  return { ok: true, rule: 5, flag: { state: req.state, operationId: req.operationId, owner: req.owner }, leaseMs: isActiveState(req.state) ? req.leaseMs : null };
}
