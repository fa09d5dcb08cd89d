import type { XhError } from '../../shared/errors.js';
import type { LedgerChange, MigrationPlan } from '../decide/migration-plan.js';

/**
 * The domU moved, but this Dom0's ledger could not record it (a full disk, a read-only state dir):
 * XH_ERR_MIGRATION_PARTIAL, saying where the domU runs and the commands that finish the move.
 *
 * A record that drops one (`forget`: an away record of a domU back home, a visitor record of one
 * that left) is what `reconcile NAME` here does by hand once the ledger can be written; it also
 * settles the inflight record this run may have left, which reads as unsettled. The `tell` step
 * after the record did not run either: the other Dom0's half is partial()'s command.
 *
 * An `away` record (the home saw its domU leave) has no by-hand form: reconcile records only what
 * this host's own xl list shows, and the domU is not here. The message says so and what it means
 * (this Dom0 does not know the domU is away) rather than naming a command that would not do it.
 */
export function unrecordedMove(host: string, plan: MigrationPlan, change: LedgerChange, why: string, peerFinish: string | null): XhError {
  const where = `${plan.name} now runs on ${plan.to}, but ${host}'s ledger could not be written (${why})`;
  const then = peerFinish === null ? '' : `; then ${peerFinish}`;
  if (change.kind === 'away') {
    return {
      code: 'XH_ERR_MIGRATION_PARTIAL',
      message: `${where}, so ${host} does not know ${plan.name} is away on ${plan.to}: do not start it on ${host}. No command writes that away record by hand (reconcile records only what ${host}'s xl list shows): fix the cause above${then}`,
    };
  }
  return { code: 'XH_ERR_MIGRATION_PARTIAL', message: `${where}; to finish, once the cause above is fixed: on ${host}: xenherd-agent reconcile ${plan.name}${then}` };
}
