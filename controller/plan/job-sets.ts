import type { Move } from '../../shared/protocol/ctl-jobs.js';

/**
 * Moves grouped into sets whose moves touch disjoint hosts: the moves of a set
 * can run at once. Order is kept: a move lands in the first set after every earlier move sharing
 * a host or the domU with it, so a move that needs memory an earlier move frees comes later, and
 * one domU never moves twice in a set.
 */
export function jobSets(moves: readonly Move[]): Move[][] {
  const last = new Map<string, number>();
  const sets: Move[][] = [];
  for (const m of moves) {
    const keys = [`h:${m.from}`, `h:${m.to}`, `d:${m.name}`];
    const i = 1 + Math.max(-1, ...keys.map((k) => last.get(k) ?? -1));
    (sets[i] ??= []).push(m);
    for (const k of keys) last.set(k, i);
  }
  return sets;
}

export const movesOf = (sets: readonly (readonly Move[])[]): Move[] => sets.flat();
