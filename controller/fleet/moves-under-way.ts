/**
 * A live migration this controller has asked an agent for and has no result of yet (its own
 * `migrate`/`reverse`, or a job's move): FROM is the Dom0 asked to send it, TO the Dom0 named as
 * its target, null when the agent picks it (its migration partner, or the home a reverse returns to).
 */
export interface MoveUnderWay {
  readonly name: string;
  readonly from: string;
  readonly to: string | null;
}

/**
 * Whether NAME shown plainly on exactly HOSTS is a move this controller is making between them.
 * xend's receiving copy is a plain NAME, paused, and the sender's rename to `migrating-NAME` is a
 * xenstore write no domain watch reports: a move into an xm Dom0 shows as two plain copies until
 * the sender's agent reads `xm list` again. Only a pair made of the move's own two ends counts: a
 * third copy, or a copy on another Dom0, is no part of it.
 */
export function moveExplains(moves: readonly MoveUnderWay[] | undefined, name: string, hosts: readonly string[]): boolean {
  if (moves === undefined || hosts.length !== 2) return false;
  return moves.some((m) => m.name === name && hosts.includes(m.from) && (m.to === null ? hosts.some((h) => h !== m.from) : m.to !== m.from && hosts.includes(m.to)));
}
