import type { XhError } from '../../shared/errors.js';
import { peerMayClaim } from './home-claim.js';
import { peerClaim, type MigrationFacts } from './migration-plan.js';

/**
 * What a peer's `status NAME` (NAME running here) does to this Dom0's ledger, and whose NAME the
 * answer says it is. The question closes a move: PEER has just sent NAME here, or back here.
 *
 * - `ours`: this Dom0 is NAME's home, so the answer names this host. `drop-away`: PEER sent our
 *   domU home. `drop-visitor`: PEER says it is not PEER's (NOT_MINE), and this Dom0 guards it.
 * - `peers`: NAME is PEER's. `recordVisitor`: the ledger does not record it as PEER's visitor yet.
 * - `refused`: the question contradicts the ledger or the homes here.
 */
export type PeerStatusLedger =
  | { readonly kind: 'ours'; readonly change: 'drop-away' | 'drop-visitor' | null }
  | { readonly kind: 'peers'; readonly recordVisitor: boolean }
  | { readonly kind: 'refused'; readonly error: XhError };

export function peerStatusLedger(f: MigrationFacts, name: string, peer: string, notMine: boolean): PeerStatusLedger {
  const { ledger, homes } = f;
  const away = ledger.away[name];
  if (away && homes.has(name)) {
    if (away.currentHost !== peer) return { kind: 'refused', error: { code: 'XH_ERR_REFUSED', message: `${name} is a domU of ${f.host}; the ledger here says it went to ${away.currentHost}, not ${peer}` } };
    return { kind: 'ours', change: 'drop-away' };
  }
  // ours, running here: telling our partner so is harmless
  if (!peerMayClaim(homes, name, peer)) return { kind: 'ours', change: null };
  // Guarded here with PEER as its partner, either of us may be its home. A domU moved by hand
  // (no ledger records it) and brought back here by PEER would otherwise become PEER's visitor
  // here, and the next restore would send it away from its only guarded dir. A visitor record an
  // earlier question without the word left (the move's verify) is dropped.
  if (notMine && homes.has(name)) return { kind: 'ours', change: ledger.visitors[name] !== undefined ? 'drop-visitor' : null };
  const claim = peerClaim(f, name, peer);
  if (claim) return { kind: 'refused', error: claim };
  return { kind: 'peers', recordVisitor: ledger.visitors[name]?.home !== peer };
}
