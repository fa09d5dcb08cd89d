/**
 * What a look over the whole fleet yields between its findings, every TICK_EVERY items looked at:
 * at 2,000 Dom0s and 40,000 domUs one look holds the event loop for tens of milliseconds, so a
 * caller that serves requests meanwhile stops at a tick and goes on later (alert-keeper.ts).
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
