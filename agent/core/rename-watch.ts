import type { InventoryDomain } from '../../shared/inventory.js';
import { log } from './effects.js';
import { requestList } from './read-requests.js';
import type { AgentState } from './state.js';
import type { Fx } from './timers.js';
import type { ExitFacts } from './watcher.js';

/**
 * libxl ends a migration by renaming NAME--incoming to NAME on the target: a write of
 * /local/domain/DOMID/name, which neither @introduceDomain nor @releaseDomain reports, so the
 * domain watch misses it and only the timed re-reads of migration-rows.ts would show it. While an
 * incoming row stands, a second `xenstore-watch` on those domains' name nodes asks for the
 * re-read as the rename happens (and when the domain goes: its nodes are removed). The timed
 * re-reads stay: a watch that cannot run costs time, never a missed end. Where the domain watch
 * itself polls, xenstore-watch is not to be relied on, and none is started.
 *
 * Only incoming rows: a sender's NAME--migratedaway row stands for the last moments of a
 * migration, when the sender's CPU goes to finishing it, and its end (the domain destroyed) is a
 * domain event already. Every watch fires once when it is registered: those first lines, one a
 * path, ask for nothing (the read that showed the rows is that recent).
 */
export interface RenameWatch {
  readonly gen: number;
  /** the domids whose name nodes the watch of this generation was started on, sorted; none: no watch */
  readonly domids: readonly number[];
  /** the lines its registration still owes (one a path): they ask for nothing */
  readonly registering: number;
}

export const NO_RENAME_WATCH: RenameWatch = { gen: 0, domids: [], registering: 0 };

export const renameWatchPaths = (domids: readonly number[]): string[] => domids.map((d) => `/local/domain/${d}/name`);

const sameDomids = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

/** The domids of DOMAINS' incoming rows, once each, sorted. */
export const incomingDomids = (domains: readonly InventoryDomain[]): number[] =>
  [...new Set(domains.flatMap((d) => (d.migration === 'incoming' && d.domid !== null ? [d.domid] : [])))].sort((a, b) => a - b);

/**
 * After a list read: watch the name nodes of the incoming rows, a new watch when that set
 * changed. A watch that ended on its own is started again only when the set changes, not after
 * every read.
 */
export function followRenames(s: AgentState, fx: Fx, domains: readonly InventoryDomain[]): AgentState {
  const quiet = s.domainWatcher.mode === 'polling' || s.phase === 'stopping' || s.phase === 'stopped';
  const want = quiet ? [] : incomingDomids(domains);
  const w = s.renameWatch;
  if (sameDomids(want, w.domids)) return s;
  if (w.domids.length > 0) fx.push({ e: 'unwatch', watcher: 'renames', gen: w.gen });
  if (want.length === 0) return { ...s, renameWatch: { gen: w.gen, domids: [], registering: 0 } };
  const gen = w.gen + 1;
  fx.push({ e: 'watch-renames', gen, domids: want });
  fx.push(log('info', `following the names of incoming domains ${want.join(', ')} in xenstore: the end of their migration is read as it happens`, { domids: want }));
  return { ...s, renameWatch: { gen, domids: want, registering: want.length } };
}

/** The agent stops, or its domain watch restarts: no rename watch until the next list read asks for one. */
export function stopRenameWatch(s: AgentState, fx: Fx): AgentState {
  const w = s.renameWatch;
  if (w.domids.length === 0) return s;
  fx.push({ e: 'unwatch', watcher: 'renames', gen: w.gen });
  return { ...s, renameWatch: { gen: w.gen, domids: [], registering: 0 } };
}

/** A line of the current watch, past its registration: a name node changed: read the list again. */
export function onRenameLine(s: AgentState, fx: Fx, gen: number): AgentState {
  const w = s.renameWatch;
  if (gen !== w.gen || w.domids.length === 0) return s;
  if (w.registering > 0) return { ...s, renameWatch: { ...w, registering: w.registering - 1 } };
  return requestList(s, fx);
}

export function onRenameBadLine(s: AgentState, fx: Fx, gen: number, message: string, text: string): AgentState {
  if (gen === s.renameWatch.gen) fx.push(log('warn', `unreadable xenstore-watch line (incoming domains' names): ${message}`, { code: 'XH_ERR_TOOL_OUTPUT', line: text.slice(0, 500) }));
  return s;
}

/** It ended by itself: the timed re-reads carry on alone until the incoming rows change. */
export function onRenameExit(s: AgentState, fx: Fx, gen: number, facts: ExitFacts): AgentState {
  if (gen === s.renameWatch.gen && !facts.stoppedByUs && s.renameWatch.domids.length > 0) {
    fx.push(log('warn', `xenstore-watch on incoming domains' names ended (${facts.why}): their migrations' ends show at the timed re-reads of xl list`, { domids: s.renameWatch.domids }));
  }
  return s;
}
