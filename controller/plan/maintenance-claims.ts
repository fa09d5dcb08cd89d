import type { Maintenance } from '../../shared/protocol/agent-link-state.js';
import { OPERATION_ID_RE } from '../../shared/protocol/agent-link-values.js';
import { sameOwner } from '../../shared/owner-names.js';

type State = Maintenance['state'];

/** The `maintenance` command a job sends to take (or resume) a host's flag. */
export interface Claim {
  readonly state: State;
  readonly operationId: string;
  /** the states the job saw: the agent refuses the change if the flag moved on meanwhile */
  readonly from: readonly State[];
  /** true when the flag already names this operation: a re-run continues it */
  readonly resumes: boolean;
}

const ALL: readonly State[] = ['online', 'draining', 'maintenance', 'restoring'];

/**
 * The flag's operation id when a command may carry it on: one written by hand into
 * maintenance.json can be any text, which a command does not take (its id goes into argv and
 * files); such a flag is taken over by a new operation instead.
 */
const kept = (flag: Maintenance): string | null => (flag.operationId !== null && OPERATION_ID_RE.test(flag.operationId) ? flag.operationId : null);

/**
 * online → draining. A flag already draining names the drain to continue (its operation id):
 * after a controller restart, `drain` again picks up the same operation; a flag in maintenance or
 * restoring is taken over by a new drain, which the agent refuses while another owner's lease on
 * it lives.
 */
export function drainClaim(flag: Maintenance, newOp: string): Claim {
  if (flag.state === 'draining' || flag.state === 'maintenance') return { state: 'draining', operationId: kept(flag) ?? newOp, from: [flag.state], resumes: kept(flag) !== null };
  return { state: 'draining', operationId: newOp, from: [flag.state], resumes: false };
}

/** maintenance (or a drain given up, or online) → restoring; a flag already restoring is continued. */
export function restoreClaim(flag: Maintenance, newOp: string): Claim {
  if (flag.state === 'restoring') return { state: 'restoring', operationId: kept(flag) ?? newOp, from: ['restoring'], resumes: kept(flag) !== null };
  return { state: 'restoring', operationId: newOp, from: [flag.state], resumes: false };
}

/** `maintenance HOST on`: the agent accepts it only when nothing runs there. */
export const maintenanceOnClaim = (flag: Maintenance, newOp: string): Claim => ({
  state: 'maintenance',
  operationId: flag.state === 'maintenance' ? (kept(flag) ?? newOp) : newOp,
  from: ['online', 'draining', 'maintenance'],
  resumes: false,
});

/** `maintenance HOST off`: online from any state (the agent always accepts it: the operator decides). */
export const onlineClaim = (operationId: string): Claim => ({ state: 'online', operationId, from: ALL, resumes: false });

/** The end of a restore: online only if the flag is still this restore's (never over a drain begun meanwhile). */
export const restoreEndClaim = (operationId: string): Claim => ({ state: 'online', operationId, from: ['restoring'], resumes: false });

/**
 * Whether HELD, the flag an agent answered a refused claim with, is a lease of this controller's
 * own (IDENTITY) for an operation no job of it carries on: an active state with a lease still
 * running, owned by this controller, with an operation id to end it by. Asked only by a job the
 * hub runs alone on the host (a drain, a restore), so no running job of this controller holds it:
 * its release was never heard (the Dom0 lost power mid-drain, and its agent gave the owner a new
 * lease as it started; or this controller restarted).
 */
export function isOwnLeftoverLease(held: { readonly maintenance: Maintenance; readonly leaseLeftMs: number }, identity: string): boolean {
  const m = held.maintenance;
  return (m.state === 'draining' || m.state === 'restoring') && m.operationId !== null && held.leaseLeftMs > 0 && sameOwner(m.owner, identity);
}

/**
 * The owner name a claim continuing OPERATIONID sends instead of IDENTITY, when FLAG, which
 * refused it, names that operation owned by this controller under its name before the instance
 * id (xenherd-controller@HOST:PORT, written before an upgrade): an agent of that release compares
 * owner names as written, so it refuses IDENTITY for this controller's own lease until the lease
 * lapses. SENT is the name the refused claim carried, so a name is tried once. Null otherwise.
 */
export function earlierOwnName(flag: Maintenance, operationId: string, identity: string, sent: string): string | null {
  const owner = flag.owner;
  if (owner === null || owner === identity || owner === sent || flag.operationId !== operationId) return null;
  return sameOwner(owner, identity) ? owner : null;
}
