import type { AgentState, StartJob } from './state.js';
import type { Fx } from './timers.js';

/**
 * Where the re-check right before an `xl create` gets the domains from. It needs them as they are
 * now, and an `xl list` of its own is one more tool run between "DRBD is safe" and `xl create` (a
 * process of its own under the simulator as well; when that stand-in was a Node process, it was most
 * of the reaction time). Where xenstore-watch works, every domain that arrives or leaves is a
 * line, and every line starts a list read (coalesced, reads.ts), so:
 * - no list read running or queued: the list in the state is what `xl list` would say now;
 * - one running and none queued: the re-check takes that read, which answers the last line seen;
 * - another queued behind it, the watch not working (polling, restarting, not yet proved by a
 *   line), or no list read since the toolstack became known: its own `xl list`.
 */
export type RecheckSource =
  | { readonly kind: 'own' }
  | { readonly kind: 'current' }
  /** waits in 'rechecking' for the list read of this count (StartJob.afterList) */
  | { readonly kind: 'join'; readonly afterList: number };

export function recheckSource(s: AgentState): RecheckSource {
  const w = s.domainWatcher;
  if (w.mode !== 'events' || !w.running || !w.healthy) return { kind: 'own' };
  if (!s.listRead.running) {
    // lines before the toolstack was known asked for no read (reads.ts requestList): only a list
    // read since vouches for the list
    return s.domains === null || s.listRead.done === 0 ? { kind: 'own' } : { kind: 'current' };
  }
  // one queued behind the running read (a line came meanwhile) starts only when that one ends:
  // an `xl list` of its own, started now, answers sooner
  if (s.listRead.again) return { kind: 'own' };
  return { kind: 'join', afterList: s.listRead.done + 1 };
}

const joined = (j: StartJob): boolean => j.phase === 'rechecking' && j.afterList !== undefined;

/**
 * A list read landed (after reads.ts updated the count): the re-checks it answers go on. 'current':
 * the read is in the state; 'own': it failed without an answer, so each runs its own `xl list`.
 * When no further read is coming (the agent stops), every waiting re-check goes on now.
 */
export function answerJoinedRechecks(s: AgentState, fx: Fx, how: 'current' | 'own'): AgentState {
  const toolstack = s.toolstack;
  const answered = (j: StartJob): boolean => joined(j) && ((j.afterList ?? 0) <= s.listRead.done || !s.listRead.running);
  if (toolstack === null || !s.jobs.some(answered)) return s;
  const jobs = s.jobs.map((j): StartJob => {
    if (!answered(j)) return j;
    fx.push({ e: 'recheck', name: j.name, toolstack, pollNames: null, current: how === 'current' });
    const { afterList: _answered, ...rest } = j;
    return rest;
  });
  return { ...s, jobs };
}
