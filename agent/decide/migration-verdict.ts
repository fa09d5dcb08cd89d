import type { MigrationOutcome } from '../parse/xl-migrate.js';

/**
 * Where a domU is after a migration attempt, from the toolstack's outcome and what each host's
 * `xl list` shows afterwards. `null` for a host means it could not be asked.
 */
export type MigrationVerdict =
  | { readonly kind: 'moved' }
  | { readonly kind: 'stayed' }
  | { readonly kind: 'alarm'; readonly why: string };

export function migrationVerdict(outcome: MigrationOutcome, atSource: boolean | null, atTarget: boolean | null): MigrationVerdict {
  if (outcome.kind === 'success' && atSource === false && atTarget !== false) return { kind: 'moved' };
  if (outcome.domainAt === 'source' && atSource === true && atTarget !== true) return { kind: 'stayed' };
  // undefined ending (final handshake, unknown) or a contradiction: only both hosts' xl list decide
  if (atSource === null || atTarget === null) {
    return { kind: 'alarm', why: `the ${atSource === null ? 'source' : 'target'} host could not be asked where the domU is` };
  }
  if (atSource && !atTarget) return { kind: 'stayed' };
  if (!atSource && atTarget) return { kind: 'moved' };
  return { kind: 'alarm', why: atSource ? 'the domU is listed on both hosts' : 'the domU is listed on neither host' };
}
