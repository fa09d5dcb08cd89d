import type { NotListing, WhereAnswer, WhereMatch } from '../../shared/protocol/ctl-where.js';
import { isStale } from './where-line.js';

/** One pattern of `where P1 P2 ...` and the controller's answer to it. */
export interface Asked {
  readonly pattern: string;
  readonly answer: WhereAnswer;
}

/** The answers to every pattern of one `where`, read as one. */
export interface WhereAnswers {
  readonly asked: readonly Asked[];
  /** every domU once, in the order the patterns were given (within one pattern, its answer's order) */
  readonly matches: readonly WhereMatch[];
  readonly unreported: readonly string[];
  readonly notListing: readonly NotListing[];
  /** the patterns that matched no domU, in the order given */
  readonly unmatched: readonly string[];
}

/**
 * ASKED as one answer. A domU two patterns match (`where web01 'web*'`) is shown once, where the
 * first pattern put it: each answer is a read of its own, and the operator asked for it there.
 */
export function mergeAnswers(asked: readonly Asked[]): WhereAnswers {
  const seen = new Set<string>();
  const matches: WhereMatch[] = [];
  for (const a of asked) {
    for (const m of a.answer.matches) {
      if (seen.has(m.name)) continue;
      seen.add(m.name);
      matches.push(m);
    }
  }
  const unreported = [...new Set(asked.flatMap((a) => a.answer.unreported ?? []))];
  const byHost = new Map<string, NotListing>();
  for (const a of asked) for (const h of a.answer.notListing ?? []) if (!byHost.has(h.host)) byHost.set(h.host, h);
  const unmatched = asked.filter((a) => a.answer.matches.length === 0).map((a) => a.pattern);
  return { asked, matches, unreported, notListing: [...byHost.values()], unmatched };
}

/**
 * What `where --json` prints. One pattern: the controller's answer with "stale" per match, as it
 * always was. Several: the same object with "patterns" (as given) for "pattern", every match
 * once, the hosts of every answer's "unreported" and "notListing", the latest "at", and
 * "unmatched", the patterns that matched nothing: a script reading "matches" reads both.
 */
export function whereJson(w: WhereAnswers): Record<string, unknown> {
  const withStale = (ms: readonly WhereMatch[]): unknown[] => ms.map((m) => ({ ...m, stale: isStale(m) }));
  const only = w.asked.length === 1 ? w.asked[0] : undefined;
  if (only !== undefined) return { ...only.answer, matches: withStale(only.answer.matches) };
  return {
    at: Math.max(...w.asked.map((a) => a.answer.at)),
    patterns: w.asked.map((a) => a.pattern),
    matches: withStale(w.matches),
    ...(w.unreported.length > 0 ? { unreported: w.unreported } : {}),
    ...(w.notListing.length > 0 ? { notListing: w.notListing } : {}),
    unmatched: w.unmatched,
  };
}
