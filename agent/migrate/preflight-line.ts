import type { MigrationPlan, PreflightCheck } from '../decide/migration-plan.js';

/**
 * The progress line a preflight starts with: what it checks before anything moves, each as a
 * check ("that xen2 holds a replica"), not a finding: the refusal that may follow must not read
 * as contradicting it. Its checks ask
 * the peer over ssh, which can take many seconds on a loaded or distant Dom0; without this line
 * the operator's terminal stays silent until the move itself starts.
 */
export function preflightLine(plan: Pick<MigrationPlan, 'name'>, checks: readonly PreflightCheck[]): string {
  const what = checks.flatMap((c): string[] => {
    switch (c.check) {
      case 'runs-here':
        return [`that ${plan.name} runs here`];
      case 'replicas':
        return c.resources.length === 0 ? [] : [`that ${c.target} holds a replica of ${c.resources.join(', ')}, in step (Connected, UpToDate/UpToDate)`];
      case 'peer-sshd':
        return [`that ${c.peer}'s sshd answers`];
      case 'toolstack-route':
        return [`that the migration itself goes to this same ${c.peer}`];
      case 'migration-key':
        return [`the migration key for ${c.peer}`];
      case 'peer-status':
        return [`what ${c.peer} says of ${plan.name} (its forced command)`];
    }
  });
  return `checking before moving ${plan.name}: ${what.join('; ')}`;
}
