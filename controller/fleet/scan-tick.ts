/**
 * What a look over the whole fleet yields between its findings, every TICK_EVERY items looked at:
 * a look still walks every Dom0's DRBD roles and ledger, milliseconds on a large fleet with DRBD
 * under every domU, so a caller that serves requests meanwhile stops at a tick and goes on later
 * (alert-keeper.ts).
 */
export const TICK: unique symbol = Symbol('fleet scan tick');
export type Tick = typeof TICK;

/** Often enough that a stretch between two ticks is well under a millisecond, rare enough to cost nothing. */
export const TICK_EVERY = 256;

/** A counter of items looked at: true every TICK_EVERY-th call, when the scan yields a tick. */
export function tickCounter(): () => boolean {
  let n = 0;
  return () => ++n % TICK_EVERY === 0;
}
