import { describe, expect, it } from 'vitest';
import { AgentConfigSchema } from '../../../agent/config/schema.js';
import type { Effect } from '../../../agent/core/effects.js';
import type { AgentEvent } from '../../../agent/core/events.js';
import { reduce } from '../../../agent/core/reduce.js';
import { renameWatchPaths } from '../../../agent/core/rename-watch.js';
import { initialState, type AgentState } from '../../../agent/core/state.js';
import type { InventoryDomain } from '../../../shared/inventory.js';
import { migrationRow } from '../listed-domains.js';

// libxl ends a migration with a rename (NAME--incoming → NAME), a xenstore write no domain watch
// reports. While incoming rows stand, the agent watches those domains' name nodes, and a line of
// that watch asks for `xl list` at once instead of at the next timed re-read. Pure: events
// through the reducer.

const T0 = Date.UTC(2025, 0, 1);
const row = (name: string, domid: number, migration: InventoryDomain['migration']): InventoryDomain => migrationRow(name, migration, domid);

class Loop {
  s: AgentState;
  constructor(domainsBy: 'events' | 'poll' = 'events') {
    const config = AgentConfigSchema.parse(domainsBy === 'poll' ? { events: { domains: 'poll' } } : {});
    const s = initialState({ config, host: 'xen2', pid: 1, now: T0, seed: 1, handledThisBoot: new Set(), bootId: 'b', agentVersion: 't', watchdogMs: null });
    const domainWatcher = domainsBy === 'poll' ? s.domainWatcher : { ...s.domainWatcher, gen: 1, running: true, healthy: true };
    this.s = { ...s, phase: 'running', toolstack: 'xl', domains: [], fullRead: { ...s.fullRead, done: 1 }, domainWatcher };
  }
  on(ev: AgentEvent, at = T0): Effect[] {
    const step = reduce(this.s, ev, at);
    this.s = step.state;
    return [...step.effects];
  }
  /** a list read that started when asked (as the runner does) lands with DOMAINS */
  listed(domains: readonly InventoryDomain[], at = T0): Effect[] {
    this.s = { ...this.s, listRead: { ...this.s.listRead, running: true } };
    return this.on({ t: 'domains-read', read: { ok: true, domains }, tookMs: 5 }, at);
  }
}

const watches = (fx: readonly Effect[]): Effect[] => fx.filter((e) => e.e === 'watch-renames' || (e.e === 'unwatch' && e.watcher === 'renames'));
const readsList = (fx: readonly Effect[]): boolean => fx.some((e) => e.e === 'read-domains');

describe('the watch on incoming domains’ names', () => {
  it('starts on the incoming rows (said in the log), reads the list on each line past its registration, and stops when the rows are gone', () => {
    const l = new Loop();
    const fx = l.listed([row('web1', 7, 'incoming'), row('db1', 4, null)]);
    expect(watches(fx)).toEqual([{ e: 'watch-renames', gen: 1, domids: [7] }]);
    expect(fx).toContainEqual(expect.objectContaining({ e: 'log', level: 'info', msg: expect.stringContaining('following the names of incoming domains 7 in xenstore') }));
    expect(renameWatchPaths([7])).toEqual(['/local/domain/7/name']);
    // the same rows again: the watch stands
    expect(watches(l.listed([row('web1', 7, 'incoming'), row('db1', 4, null)]))).toEqual([]);
    // its registration's line (one a path) asks for nothing: the read that showed the row is that recent
    expect(readsList(l.on({ t: 'watch-line', watcher: 'renames', gen: 1 }))).toBe(false);
    // libxl renamed web1--incoming: the watch's line asks for the list now, not at the timed re-read
    expect(readsList(l.on({ t: 'watch-line', watcher: 'renames', gen: 1 }))).toBe(true);
    // the read shows the migration over: the watch stops
    expect(watches(l.listed([row('web1', 7, null), row('db1', 4, null)]))).toEqual([{ e: 'unwatch', watcher: 'renames', gen: 1 }]);
    // a line the old watch printed on its way out asks for nothing
    expect(readsList(l.on({ t: 'watch-line', watcher: 'renames', gen: 1 }))).toBe(false);
  });

  it('a new set of incoming rows is a new watch over all of them, its registration one line a path; a sender’s NAME--migratedaway row is not watched', () => {
    const l = new Loop();
    l.listed([row('web1', 7, 'incoming')]);
    expect(watches(l.listed([row('web1', 7, 'incoming'), row('app1', 2, 'migratedaway')]))).toEqual([]);
    expect(watches(l.listed([row('web1', 7, 'incoming'), row('db1', 2, 'incoming')]))).toEqual([
      { e: 'unwatch', watcher: 'renames', gen: 1 },
      { e: 'watch-renames', gen: 2, domids: [2, 7] },
    ]);
    expect(readsList(l.on({ t: 'watch-line', watcher: 'renames', gen: 1 }))).toBe(false);
    expect(readsList(l.on({ t: 'watch-line', watcher: 'renames', gen: 2 }))).toBe(false);
    expect(readsList(l.on({ t: 'watch-line', watcher: 'renames', gen: 2 }))).toBe(false);
    expect(readsList(l.on({ t: 'watch-line', watcher: 'renames', gen: 2 }))).toBe(true);
    // only a sender's row left: no watch
    expect(watches(l.listed([row('app1', 2, 'migratedaway')]))).toEqual([{ e: 'unwatch', watcher: 'renames', gen: 2 }]);
  });

  it('a watch that ended by itself is said once and started again only when the rows change, not after every read', () => {
    const l = new Loop();
    l.listed([row('web1', 7, 'incoming')]);
    const fx = l.on({ t: 'watch-exit', watcher: 'renames', gen: 1, stoppedByUs: false, notFound: false, why: 'ended (exit 1)', cannotOpen: null });
    expect(fx.flatMap((e) => (e.e === 'log' ? [e.level] : []))).toEqual(['warn']);
    expect(watches(l.listed([row('web1', 7, 'incoming')]))).toEqual([]);
    // the timed re-reads carry on meanwhile
    expect(l.listed([row('web1', 7, 'incoming')])).toContainEqual({ e: 'timer', name: 'migration-rows', ms: 250 });
    expect(watches(l.listed([row('web1', 7, 'incoming'), row('app1', 2, 'incoming')]))).toEqual([
      { e: 'unwatch', watcher: 'renames', gen: 1 },
      { e: 'watch-renames', gen: 2, domids: [2, 7] },
    ]);
  });

  it('none where the domain watch polls (xenstore-watch is not relied on there), and none left when the agent stops', () => {
    const polling = new Loop('poll');
    expect(watches(polling.listed([row('web1', 7, 'incoming')]))).toEqual([]);
    const l = new Loop();
    l.listed([row('web1', 7, 'incoming')]);
    expect(watches(l.on({ t: 'stop' }))).toEqual([{ e: 'unwatch', watcher: 'renames', gen: 1 }]);
  });
});
