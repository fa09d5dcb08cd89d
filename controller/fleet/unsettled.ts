import type { MigrationOperation } from '../../shared/protocol/agent-link-state.js';
import type { FleetIndex } from './fleet-index.js';
import { holdsNothingOf } from './foreign-claims.js';
import { nameOrder } from '../../shared/name-order.js';
import { isoOnControllerClock } from './host-record.js';

/**
 * A migration whose ending nobody knows, as a Dom0's ledger keeps it (its `unsettled` record):
 * the agent that ran it could not tell where the domU runs after it. The record stays until a
 * person settles it with `xenherd-agent reconcile NAME` on that Dom0; until then the controller's
 * plans and routed commands leave the domU alone, and an alert says so.
 */
export interface UnsettledMigration {
  /** the Dom0 that ran it and whose ledger holds the record */
  readonly host: string;
  readonly peer: string;
  /** ISO time, the agent's recorded time read on the controller's clock (host-record.ts isoOnControllerClock) */
  readonly since: string;
  readonly operationId: string;
  readonly operation: MigrationOperation;
}

const NONE: readonly UnsettledMigration[] = [];

/**
 * Every host's unsettled record of NAME, by host: one index lookup, no scan of the fleet, and
 * nothing allocated for the usual domU without one (plans build facts for thousands). A record
 * from a host holding nothing of NAME (foreign-claims.ts) is left out: no migration of NAME ran
 * there, and on that agent's word alone it would hold NAME back from every move for as long as the
 * controller keeps its last report; it is a foreign-claim alert instead.
 */
export function unsettledOf(index: FleetIndex, name: string): readonly UnsettledMigration[] {
  const byHost = index.unsettled.get(name);
  if (byHost === undefined) return NONE;
  return [...byHost]
    .filter(([host]) => holdsNothingOf(index, name, host) === null)
    // read on the controller's clock, as every time an agent reports: the alert, `where` and a refusal say it beside the controller's own
    .map(([host, u]) => ({ host, peer: u.peer, since: isoOnControllerClock(index.record(host), u.since), operationId: u.operationId, operation: u.operation }))
    .sort((a, b) => nameOrder(a.host, b.host));
}

/** `the migrate xen1 ran with xen2 (operation op-7, at 2024-05-01T14:02:00.000Z)`; HOST and PEER as the caller words them. */
export const unsettledRun = (u: UnsettledMigration, host: string = u.host, peer: string = u.peer): string =>
  `the ${u.operation} ${host} ran with ${peer} (operation ${u.operationId}, at ${u.since})`;

/** The way out, for a message: what a person checks, and the command that drops each record. */
export const settleHint = (name: string, us: readonly UnsettledMigration[]): string =>
  `check both hosts by hand (xenherd-agent status ${name} on each), then run xenherd-agent reconcile ${name} on ${[...new Set(us.map((u) => u.host))].join(' and on ')}`;

/** Why nothing moves or starts NAME: its unsettled records (at least one) and the way out. */
export const unsettledMessage = (name: string, us: readonly UnsettledMigration[]): string =>
  `${us.map((u) => unsettledRun(u)).join('; and ')} ${us.length > 1 ? 'each ' : ''}ended with its outcome unknown, so nobody knows where ${name} has run since; ${settleHint(name, us)}`;
