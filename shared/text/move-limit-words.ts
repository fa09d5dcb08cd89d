import { andList } from './and-list.js';

/**
 * Why a rebalance leaves NAMES away from home for its --max-moves alone: one reason for all of
 * them, so one sentence, however many it leaves (a plan capped at 20 moves that left 300 away
 * said the same sentence 300 times).
 */
export const moveLimitWords = (names: readonly string[], limit: number): string =>
  `${andList(names)}: not in this plan, whose ${limit} moves (--max-moves) went to others; run the rebalance again once they are done`;

interface Said {
  readonly name: string;
  readonly message: string;
  readonly blocker: { readonly kind: string; readonly limit?: unknown };
}

/**
 * The leftovers' messages in order, those left for --max-moves alone said in one sentence where
 * the first of them stands (a limit this build cannot read keeps each message as sent).
 */
export function leftoverMessages(ls: readonly Said[]): string[] {
  const byLimit = new Map<number, string[]>();
  for (const l of ls) {
    const limit = l.blocker.kind === 'move-limit' ? l.blocker.limit : undefined;
    if (typeof limit === 'number') byLimit.set(limit, [...(byLimit.get(limit) ?? []), l.name]);
  }
  const out: string[] = [];
  for (const l of ls) {
    const limit = l.blocker.kind === 'move-limit' ? l.blocker.limit : undefined;
    const names = typeof limit === 'number' ? byLimit.get(limit) : undefined;
    if (names === undefined || typeof limit !== 'number') out.push(l.message);
    else if (names[0] === l.name) out.push(moveLimitWords(names, limit));
  }
  return out;
}
