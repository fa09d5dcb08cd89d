import type { XhError } from '../../shared/errors.js';
import type { PeerResult } from '../../shared/protocol/peer.js';

/**
 * Where a reverse migration ended, from the home's `xl list` (here), the peer's own answer, and —
 * when the domU arrived but the peer's migrate2 did not end well, or the migrate2 ended with no
 * exit status at all (killed, or the connection dropped while it ran on) — the peer's `xl list`
 * (there). Only a domU here and no longer there is recorded as back; anything unclear is an alarm.
 */
export interface ReverseFacts {
  readonly name: string;
  readonly host: string;
  readonly peer: string;
  /** NAME listed here now; null: xl list could not be read */
  readonly here: boolean | null;
  /** NAME listed on the peer (asked when here and the peer's exit was not 0, or when it had none) */
  readonly there: boolean | null;
  /** the peer's migrate2 exit status; null: it ended without one (killed, connection lost) */
  readonly exitCode: number | null;
  readonly result: PeerResult | null;
  readonly stderr: string;
  /** the peer's answer was cut mid-line, in words (agent/migrate/peer-answer.ts) */
  readonly cut?: string;
  /** the connection dropped before the migrate2 ended, in words (agent/adapters/peer-ssh.ts) */
  readonly dropped?: string;
}

export type ReverseVerdict = { readonly kind: 'back'; readonly warning: string | null } | { readonly kind: 'failed'; readonly error: XhError };

const failed = (error: XhError): ReverseVerdict => ({ kind: 'failed', error });

/**
 * Whether the peer is asked whether it still lists NAME: when NAME is here but the peer's migrate2
 * did not end well, and whenever it ended with no exit status (killed, the connection dropped: it
 * may have moved NAME, or may still be moving it), unless this host's own list could not be read.
 */
export function askPeerWhere(here: boolean | null, exitCode: number | null): boolean {
  return exitCode === null ? here !== null : here === true && exitCode !== 0;
}

export function reverseVerdict(f: ReverseFacts): ReverseVerdict {
  const why = f.result?.message ?? f.dropped ?? f.cut ?? (f.stderr.trim().split('\n').pop() || `exit ${String(f.exitCode)}`);
  if (f.here === true && f.exitCode === 0) return { kind: 'back', warning: null };
  if (f.here === true) {
    if (f.there !== false) {
      // listed on both with no exit status: the migration may still be under way, and each list says when it ended
      const next = f.there === true && f.exitCode === null ? `: its migrate2 may still be running there; run \`xenherd-agent status ${f.name}\` here and on ${f.peer} until one host alone lists it` : ', check both hosts';
      return failed({ code: 'XH_ERR_MIGRATION_UNKNOWN', message: `ALARM: ${f.name} runs on ${f.host} but ${f.peer}'s migrate2 ended badly (${why}) and ${f.peer} ${f.there === true ? 'still lists it' : 'cannot be asked'}; the ledger is unchanged${next}` });
    }
    return { kind: 'back', warning: `${f.peer}'s migrate2 ended badly (${why}), but ${f.name} runs here and no longer there` };
  }
  if (f.here === null) return failed({ code: 'XH_ERR_MIGRATION_UNKNOWN', message: `ALARM: ${f.host}'s xl list cannot be read after ${f.peer}'s migrate2 (${why}); the ledger is unchanged, check both hosts` });
  if (f.exitCode === 0) return failed({ code: 'XH_ERR_MIGRATION_UNKNOWN', message: `ALARM: ${f.peer} reported success but ${f.name} does not run on ${f.host}; the ledger is unchanged, check both hosts` });
  if (f.exitCode === null) return failed({ code: 'XH_ERR_MIGRATION_UNKNOWN', message: `${f.there === false ? 'ALARM: ' : ''}${f.peer}'s migrate2 ended without an exit status (${why}): ${notHere(f)}` });
  const code = f.result && !f.result.ok && f.result.code ? f.result.code : 'XH_ERR_PROTOCOL';
  return failed({ code, message: `${f.peer} did not migrate ${f.name} back: ${why}; ${f.name} is not here, the ledger is unchanged` });
}

/**
 * A migrate2 with no exit status may go on there (sshd does not stop a command whose client went
 * away), so the peer's answer is said as found, with what to run next; it is never taken as "not moved".
 */
function notHere(f: ReverseFacts): string {
  const status = `\`xenherd-agent status ${f.name}\` on ${f.peer}`;
  if (f.there === true) return `${f.name} still runs on ${f.peer}, not on ${f.host}; its migrate2 may still be running there, so the ledger is unchanged: run ${status} until it shows ${f.name} running there with no migration, then the reverse again`;
  if (f.there === false) return `${f.name} runs on neither ${f.host} nor ${f.peer} (both lists read); the ledger is unchanged: check \`xl list\` and the DRBD roles of ${f.name} on both hosts, and start it where its disk is, once, with \`xenherd-agent autostart start --force ${f.name}\` (a guarded domU; else \`xl create\` it, then \`xenherd-agent reconcile ${f.name}\`)`;
  return `${f.name} is not here and ${f.peer} cannot be asked where it is; the ledger is unchanged: run ${status} once it answers`;
}
