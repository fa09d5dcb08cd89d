import { answersAs } from './answers-as.js';
import type { PlanStep } from './migration-plan.js';

/**
 * What the target's answer to a move's closing `status NAME` (the plan's `tell` step) does to this
 * Dom0's ledger, which has just recorded the move. `drop-away`: this host called NAME its own by
 * its guarded dir alone (the step's peerMayBeHome), and the target answers that NAME is its own
 * (its migrate-tab names it): NAME went home, and an away record here would send it back at this
 * Dom0's next restore. The target may call itself by its full name where it was asked by its short
 * one (or the other way round), as a peer's `status` is read (`answersAs`). null: the record stands.
 */
export function awayAfterTell(step: Extract<PlanStep, { do: 'tell' }>, answerHome: string | null): 'drop-away' | null {
  return step.peerMayBeHome === true && answerHome !== null && answersAs(step.peer, answerHome) ? 'drop-away' : null;
}
