import { describe, expect, it } from 'vitest';
import { AgentConfigSchema } from '../../../agent/config/schema.js';
import type { Effect } from '../../../agent/core/effects.js';
import type { AgentEvent } from '../../../agent/core/events.js';
import { reduce } from '../../../agent/core/reduce.js';
import { initialState, type AgentState } from '../../../agent/core/state.js';
import type { InventoryDomain } from '../../../shared/inventory.js';
import { reportView, VIEW_BEHIND_AFTER_MS, viewWord } from '../../../agent/core/view-lag.js';

// How current the agent's view of its domains is, as it tells the controller (link feature
// view-lag): a xenstore domain event whose `xl list` re-read is outstanding for two seconds is
// "behind", an `xl list` that cannot be read is "unknown"; "current" again once the read covering
// every event seen lands. Pure: events through the reducer, time as it is given.

const T0 = Date.UTC(2025, 0, 1);
const config = AgentConfigSchema.parse({});
const domU: InventoryDomain = { name: 'vm1', baseName: 'vm1', domid: 3, state: 'blocked', stateLetters: '-b----', shutdownReason: null, cpuTimeS: 1, memMiB: 1024, vcpus: 1, migration: null };

class Loop {
  s: AgentState;
  effects: Effect[] = [];
  constructor() {
    const s = initialState({ config, host: 'xen1', pid: 1, now: T0, seed: 1, handledThisBoot: new Set(), bootId: 'b', agentVersion: 't', watchdogMs: null });
    // running, the watch up, one full read done, the controller link up and taking `view`
    this.s = { ...s, phase: 'running', toolstack: 'xl', domains: [domU], fullRead: { ...s.fullRead, done: 1 }, domainWatcher: { ...s.domainWatcher, gen: 1, running: true, healthy: true }, link: { ...s.link, phase: 'up', gen: 1, accepts: ['view-lag'] } };
  }
  on(ev: AgentEvent, at: number): Effect[] {
    const step = reduce(this.s, ev, at);
    this.s = step.state;
    this.effects.push(...step.effects);
    return [...step.effects];
  }
  hint(at: number): Effect[] {
    return this.on({ t: 'watch-line', watcher: 'domains', gen: 1 }, at);
  }
  views(): string[] {
    return this.effects.flatMap((e) => (e.e === 'link-send' && e.message.type === 'view' ? [e.message.view] : []));
  }
}

describe('the agent view of its domains (view-lag)', () => {
  it('a domain event whose re-read takes over two seconds is behind, current once the read lands, and told around the delta', () => {
    const l = new Loop();
    const fx = l.hint(T0);
    expect(fx).toContainEqual({ e: 'read-domains', toolstack: 'xl' });
    expect(fx).toContainEqual({ e: 'timer', name: 'view-behind', ms: VIEW_BEHIND_AFTER_MS });
    expect(viewWord(l.s, T0 + VIEW_BEHIND_AFTER_MS - 1)).toBe('current');
    l.on({ t: 'timer', name: 'view-behind' }, T0 + VIEW_BEHIND_AFTER_MS);
    expect(viewWord(l.s, T0 + VIEW_BEHIND_AFTER_MS)).toBe('behind');
    l.on({ t: 'settled' }, T0 + VIEW_BEHIND_AFTER_MS);
    expect(l.views()).toEqual(['behind']);
    // the slow read lands: the delta carrying it goes first, then "current"
    l.effects = [];
    l.on({ t: 'domains-read', read: { ok: true, domains: [] }, tookMs: 5 }, T0 + 20_000);
    l.on({ t: 'settled' }, T0 + 20_000);
    const sends = l.effects.flatMap((e) => (e.e === 'link-send' ? [e.message.type === 'view' ? `view ${e.message.view}` : e.message.type] : []));
    expect(sends.slice(-2)).toEqual(['delta', 'view current']);
    expect(l.s.domainsBehind).toEqual([]);
  });

  it('a quick re-read says nothing; an event during a running read waits for the read after it', () => {
    const l = new Loop();
    l.hint(T0);
    l.hint(T0 + 500); // the read of T0 runs: this one is answered by the next read
    expect(l.s.domainsBehind.map((b) => b.untilList)).toEqual([1, 2]);
    l.on({ t: 'domains-read', read: { ok: true, domains: [domU] }, tookMs: 5 }, T0 + 900);
    expect(l.s.domainsBehind).toEqual([{ since: T0 + 500, untilList: 2 }]);
    // the timer now counts from the event still unanswered
    expect(l.effects).toContainEqual({ e: 'timer', name: 'view-behind', ms: VIEW_BEHIND_AFTER_MS - 400 });
    l.on({ t: 'domains-read', read: { ok: true, domains: [domU] }, tookMs: 5 }, T0 + 1_500);
    l.on({ t: 'settled' }, T0 + 1_500);
    expect(l.s.domainsBehind).toEqual([]);
    expect(l.views()).toEqual([]);
  });

  it('an xl list that cannot be read is unknown at once, said before the report that carries no domains', () => {
    const l = new Loop();
    l.s = { ...l.s, link: { ...l.s.link, sent: null } };
    l.on({ t: 'domains-read', read: { ok: false, code: 'XH_ERR_TOOL_TIMEOUT', message: 'xl list timed out' }, tookMs: 5 }, T0);
    l.on({ t: 'settled' }, T0);
    const sends = l.effects.flatMap((e) => (e.e === 'link-send' ? [e.message.type === 'view' ? `view ${e.message.view}` : e.message.type] : []));
    expect(sends).toEqual(['view unknown', 'snapshot']);
  });

  // A controller keeps the rows a blind agent last read while its view is unknown; on a new link,
  // a snapshot with no domains said before the view would read there as "none run here".
  it('on a new link, a blind agent says its view with the snapshot where the controller takes snapshot-view; else right after it', () => {
    const welcome = (accepts: string[]): string[] => {
      const l = new Loop();
      l.s = { ...l.s, domains: null, link: { ...l.s.link, phase: 'hello', sent: null, accepts: [], viewSent: 'current' } };
      l.on({ t: 'link-message', gen: 1, message: { type: 'welcome', protocol: 1, heartbeatMs: 1_000, staleAfterMs: 3_000, accepts } }, T0);
      return l.effects.flatMap((e) => (e.e !== 'link-send' ? [] : e.message.type === 'view' ? [`view ${e.message.view}`] : e.message.type === 'snapshot' ? [`snapshot view ${e.message.view ?? '-'} domains ${e.message.state.domains.length}`] : [e.message.type]));
    };
    expect(welcome(['view-lag', 'snapshot-view'])).toEqual(['snapshot view unknown domains 0']);
    expect(welcome(['view-lag'])).toEqual(['snapshot view - domains 0', 'view unknown']);
  });

  it('is said only to a controller whose welcome accepts view-lag', () => {
    const l = new Loop();
    l.s = { ...l.s, domains: null, link: { ...l.s.link, accepts: [] } };
    const fx: Effect[] = [];
    expect(reportView(l.s, fx, T0, 'any')).toBe(l.s);
    expect(fx).toEqual([]);
  });
});

describe('view lag across a step of the system clock', () => {
  it('stepped back 1 min while xl list hangs: "behind" is said when the timer fires, not a minute later', () => {
    const l = new Loop();
    l.hint(T0);
    // the timer runs on the monotonic clock: it fires 2 s later, when the system clock reads a minute earlier
    const at = T0 + VIEW_BEHIND_AFTER_MS - 60_000;
    l.on({ t: 'timer', name: 'view-behind' }, at);
    l.on({ t: 'settled' }, at);
    l.on({ t: 'timer', name: 'view-behind' }, at + VIEW_BEHIND_AFTER_MS);
    l.on({ t: 'settled' }, at + VIEW_BEHIND_AFTER_MS);
    expect(l.views()).toEqual(['behind']);
  });
});
