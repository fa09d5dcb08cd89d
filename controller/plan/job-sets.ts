import type { Move } from '../../shared/protocol/ctl-jobs.js';
import type { Limits } from './policy.js';

/**
 * Moves grouped into sets that can run at once within LIMITS, as the executor starts them: in a
 * set, at most perSource moves leave a host, at most perTarget arrive at one, at most `global` in
 * all. A move lands in the first set with room after every earlier move of its domU, and after
 * every earlier move using one of its hosts in the other role: an arrival that needs the memory an
 * earlier departure frees comes after it, and no host both sends and receives in a set.
 */
export function jobSets(moves: readonly Move[], limits: Limits): Move[][] {
  const last = new Map<string, number>();
  const at = (k: string): number => last.get(k) ?? -1;
  const sets: Move[][] = [];
  const fits = (set: readonly Move[] | undefined, m: Move): boolean =>
    set === undefined || (set.length < limits.global && set.filter((o) => o.from === m.from).length < limits.perSource && set.filter((o) => o.to === m.to).length < limits.perTarget);
  for (const m of moves) {
    let i = 1 + Math.max(at(`d:${m.name}`), at(`in:${m.from}`), at(`out:${m.to}`));
    while (!fits(sets[i], m)) i++;
    (sets[i] ??= []).push(m);
    for (const k of [`out:${m.from}`, `in:${m.to}`, `d:${m.name}`]) last.set(k, Math.max(i, at(k)));
  }
  return sets;
}

export const movesOf = (sets: readonly (readonly Move[])[]): Move[] => sets.flat();
