import { describe, expect, it } from 'vitest';
import { AgentConfigSchema } from '../../../agent/config/schema.js';
import type { Effect } from '../../../agent/core/effects.js';
import { onDomainsRead, onReadFailed } from '../../../agent/core/reads.js';
import { pump } from '../../../agent/core/start-queue.js';
import { initialState, type AgentState, type ReadState } from '../../../agent/core/state.js';
import { initialWatcher } from '../../../agent/core/watcher.js';

// Where the re-check before an `xl create` takes the domain list from (core/recheck.ts), in the
// reducer's own functions: pure, state and effects in, state and effects out.

const T0 = Date.UTC(2025, 0, 1);
const config = AgentConfigSchema.parse({});

function state(listRead: ReadState, watch: 'working' | 'restarting' | 'polling' = 'working'): AgentState {
  const w = initialWatcher(false, '');
  const domainWatcher = watch === 'working' ? { ...w, gen: 1, running: true, healthy: true } : watch === 'restarting' ? { ...w, gen: 1, running: true, healthy: false } : { ...w, mode: 'polling' as const, pollingWhy: 'unavailable' };
  return {
    ...initialState({ config, host: 'xen1', pid: 1, now: T0, seed: 1, handledThisBoot: new Set(), bootId: 'b', agentVersion: 't', watchdogMs: null }),
    phase: 'running',
    toolstack: 'xl',
    domains: [],
    domainWatcher,
    listRead,
    jobs: [{ name: 'web1', configPath: '/etc/xen/drbd-auto/web1.cfg', forced: null, phase: 'queued', replyTo: null }],
  };
}

const rechecks = (fx: readonly Effect[]) => fx.filter((e) => e.e === 'recheck').map((e) => (e.e === 'recheck' ? { name: e.name, current: e.current } : null));

describe('the re-check before a start', () => {
  it('no list read under way since the last one: the list in the state is current, no `xl list` of its own', () => {
    const fx: Effect[] = [];
    const n = pump(state({ running: false, again: false, done: 2 }), fx);
    expect(rechecks(fx)).toEqual([{ name: 'web1', current: true }]);
    expect(n.jobs[0]).toMatchObject({ phase: 'rechecking' });
  });

  it('a list read under way: the re-check waits for it and goes on when it lands', () => {
    const fx: Effect[] = [];
    const n = pump(state({ running: true, again: false, done: 2 }), fx);
    expect(rechecks(fx)).toEqual([]);
    expect(n.jobs[0]).toMatchObject({ phase: 'rechecking', afterList: 3 });
    const landed: Effect[] = [];
    const m = onDomainsRead(n, landed, { ok: true, domains: [] }, T0 + 50, 5);
    expect(rechecks(landed)).toEqual([{ name: 'web1', current: true }]);
    expect(m.jobs[0]?.afterList).toBeUndefined();
  });

  it('a read queued behind the running one (a line came meanwhile): its own `xl list`, which answers sooner than the queued read', () => {
    const fx: Effect[] = [];
    const n = pump(state({ running: true, again: true, done: 2 }), fx);
    expect(rechecks(fx)).toEqual([{ name: 'web1', current: false }]);
    expect(n.jobs[0]?.afterList).toBeUndefined();
  });

  it('the join waits for its read only: a read that lands with more to come still answers it', () => {
    const n = pump(state({ running: true, again: false, done: 2 }), []);
    const fx: Effect[] = [];
    // a line came while the read ran: another read is queued, but the joined one has landed
    onDomainsRead({ ...n, listRead: { ...n.listRead, again: true } }, fx, { ok: true, domains: [] }, T0 + 50, 5);
    expect(fx.some((e) => e.e === 'read-domains')).toBe(true);
    expect(rechecks(fx)).toEqual([{ name: 'web1', current: true }]);
  });

  it('the read it waited for failed without an answer: it runs its own `xl list`', () => {
    const n = pump(state({ running: true, again: false, done: 2 }), []);
    const fx: Effect[] = [];
    onReadFailed(n, fx, 'list', 'boom');
    expect(rechecks(fx)).toEqual([{ name: 'web1', current: false }]);
  });

  it('its own `xl list` while the watch is restarting or polled instead, and before any list read since the toolstack became known', () => {
    for (const s of [state({ running: false, again: false, done: 2 }, 'restarting'), state({ running: true, again: false, done: 2 }, 'polling'), state({ running: false, again: false, done: 0 })]) {
      const fx: Effect[] = [];
      pump(s, fx);
      expect(rechecks(fx)).toEqual([{ name: 'web1', current: false }]);
    }
  });
});
