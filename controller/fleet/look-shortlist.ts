import type { LinkHome } from '../../shared/protocol/agent-link-state.js';
import type { FleetIndex } from './fleet-index.js';
import { isLive } from './live-row.js';
import { isPairClaim } from './pair-claim.js';

/**
 * The domUs each whole-fleet pass of the alert look can say anything of, kept as the index
 * changes (FleetIndex.lookShortlist): at 40,000 domUs a look that asked every name and every row
 * held the event loop for tens of ms at each `/metrics` and `check`, where almost every name is
 * a domU run by one Dom0 of its pair and claimed by both. Each set holds a name by what its rows'
 * hosts and its home claims are, nothing read of the clock or of a host's reachability, so a
 * name leaves or joins only when those change, and the index notes it then (takeLookInputsChanged).
 * Whatever a finding says (ages, who is silent, moves under way) the pass still works out at each
 * look, for the names shortlisted: the look's answer is the same as when it asked every name.
 * The metrics' counts (fleet-counts.ts) ask the same few of a silent host's overtaken copy and
 * of a move under way.
 */
export interface LookShortlist {
  /** rows of it on two hosts or more: what conflicts.ts running-on-two-hosts starts from */
  readonly runningOnSeveral: Set<string>;
  /** claimed as home by two hosts or more, not as a pair naming each other: home-claimed-twice, and a foreign claim among them */
  readonly homesUnpaired: Set<string>;
  /** run by a host that does not claim it, or whose guarded dir alone claims it beside a migrate-tab's: away-unrecorded's candidates */
  readonly runByUnclaimed: Set<string>;
  /** with a migration row (NAME--incoming, NAME--migratedaway) on some host: foreign-halves.ts halvesWithoutDisks */
  readonly withHalves: Set<string>;
  /** the Dom0 of each domU whose rows are on that one Dom0 alone, one of them live: check's domUs running count them by their Dom0 (fleet-check.ts countRunning) */
  readonly liveAloneOn: Map<string, string>;
  /** how many domUs liveAloneOn puts on each Dom0 */
  readonly liveAloneCount: Map<string, number>;
}

export const emptyLookShortlist = (): LookShortlist => ({ runningOnSeveral: new Set(), homesUnpaired: new Set(), runByUnclaimed: new Set(), withHalves: new Set(), liveAloneOn: new Map(), liveAloneCount: new Map() });

/** INDEX's shortlist, the names it noted since the last call sorted in or out first. */
export function lookShortlist(index: FleetIndex): LookShortlist {
  const s = index.lookShortlist;
  for (const name of index.takeLookInputsChanged()) {
    const rows = index.running.get(name);
    const claims = index.homes.get(name);
    keepIf(s.runningOnSeveral, name, rows !== undefined && rows.size >= 2);
    keepIf(s.homesUnpaired, name, claims !== undefined && claims.size >= 2 && !isPairClaim(claims));
    keepIf(s.runByUnclaimed, name, rows !== undefined && claims !== undefined && [...rows.keys()].some((h) => runsUnclaimed(claims, h)));
    keepIf(s.withHalves, name, rows !== undefined && [...rows.values()].some((group) => group.some((d) => d.migration !== null)));
    const alone = rows !== undefined && rows.size === 1 ? [...rows].find(([, group]) => group.some(isLive))?.[0] : undefined;
    const was = s.liveAloneOn.get(name);
    if (was === alone) continue;
    if (was !== undefined) count(s.liveAloneCount, was, -1);
    if (alone === undefined) s.liveAloneOn.delete(name);
    else {
      s.liveAloneOn.set(name, alone);
      count(s.liveAloneCount, alone, 1);
    }
  }
  return s;
}

/**
 * HOST runs a domU with home claims CLAIMS and does not claim it, or claims it by its guarded dir
 * alone while another Dom0's migrate-tab names it (outranked: migration-alerts.ts awayUnrecorded).
 */
export function runsUnclaimed(claims: ReadonlyMap<string, LinkHome>, host: string): boolean {
  return !claims.has(host) || (claims.size > 1 && claims.get(host)?.source === 'guarded' && anyFromMigrateTab(claims));
}

function anyFromMigrateTab(claims: ReadonlyMap<string, LinkHome>): boolean {
  for (const c of claims.values()) if (c.source === 'migrate-tab') return true;
  return false;
}

function count(counts: Map<string, number>, host: string, by: 1 | -1): void {
  const n = (counts.get(host) ?? 0) + by;
  if (n === 0) counts.delete(host);
  else counts.set(host, n);
}

function keepIf(set: Set<string>, name: string, keep: boolean): void {
  if (keep) set.add(name);
  else set.delete(name);
}
