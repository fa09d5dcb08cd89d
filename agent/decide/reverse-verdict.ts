import type { XhError } from '../../shared/errors.js';
import type { PeerResult } from '../../shared/protocol/peer.js';

/**
 * Where a reverse migration ended, from the home's `xl list` (here), the peer's own answer, and —
 * when the domU arrived but the peer's migrate2 did not end well — the peer's `xl list` (there).
 * Only a domU here and no longer there is recorded as back; anything unclear is an alarm.
 */
export interface ReverseFacts {
  readonly name: string;
  readonly host: string;
  readonly peer: string;
  /** NAME listed here now; null: xl list could not be read */
  readonly here: boolean | null;
  /** NAME listed on the peer (asked only when here and the peer's exit was not 0) */
  readonly there: boolean | null;
  /** the peer's migrate2 exit status; null: it ended without one (killed, connection lost) */
  readonly exitCode: number | null;
  readonly result: PeerResult | null;
  readonly stderr: string;
  /** the peer's answer was cut mid-line, in words (agent/migrate/peer-answer.ts) */
  readonly cut?: string;
}

export type ReverseVerdict = { readonly kind: 'back'; readonly warning: string | null } | { readonly kind: 'failed'; readonly error: XhError };

const failed = (error: XhError): ReverseVerdict => ({ kind: 'failed', error });

export function reverseVerdict(f: ReverseFacts): ReverseVerdict {
  const why = f.result?.message ?? f.cut ?? (f.stderr.trim().split('\n').pop() || `exit ${String(f.exitCode)}`);
  if (f.here === true && f.exitCode === 0) return { kind: 'back', warning: null };
  if (f.here === true) {
    if (f.there !== false) {
      return failed({ code: 'XH_ERR_MIGRATION_UNKNOWN', message: `ALARM: ${f.name} runs on ${f.host} but ${f.peer}'s migrate2 ended badly (${why}) and ${f.peer} ${f.there === true ? 'still lists it' : 'cannot be asked'}; the ledger is unchanged, check both hosts` });
    }
    return { kind: 'back', warning: `${f.peer}'s migrate2 ended badly (${why}), but ${f.name} runs here and no longer there` };
  }
  if (f.here === null) return failed({ code: 'XH_ERR_MIGRATION_UNKNOWN', message: `ALARM: ${f.host}'s xl list cannot be read after ${f.peer}'s migrate2 (${why}); the ledger is unchanged, check both hosts` });
  if (f.exitCode === 0) return failed({ code: 'XH_ERR_MIGRATION_UNKNOWN', message: `ALARM: ${f.peer} reported success but ${f.name} does not run on ${f.host}; the ledger is unchanged, check both hosts` });
  if (f.exitCode === null) {
    return failed({ code: 'XH_ERR_MIGRATION_UNKNOWN', message: `${f.peer}'s migrate2 ended without an exit status (${why}): ${f.name} is not here and its state there is unknown; the ledger is unchanged, check \`xenherd-agent status ${f.name}\` on ${f.peer}` });
  }
  const code = f.result && !f.result.ok && f.result.code ? f.result.code : 'XH_ERR_PROTOCOL';
  return failed({ code, message: `${f.peer} did not migrate ${f.name} back: ${why}; ${f.name} is not here, the ledger is unchanged` });
}
