import { describe, expect, it } from 'vitest';
import { AgentConfigSchema } from '../../../agent/config/schema.js';
import type { Effect } from '../../../agent/core/effects.js';
import type { AgentEvent } from '../../../agent/core/events.js';
import { reduce } from '../../../agent/core/reduce.js';
import { initialState, type AgentState } from '../../../agent/core/state.js';
import { parseEvents2Line } from '../../../agent/parse/events2.js';

// A line of `drbdsetup events2` the parser refuses. One of a kind a newer drbd-utils may print (an
// unknown verb or object) is skipped with one warning; a malformed one stops the stream, which is
// respawned with backoff and replaced by polling after repeated failures. Before this, both
// killed and respawned the stream at once (delay 0), forever. Pure: events through the reducer.

const T0 = Date.UTC(2025, 0, 1);

class Loop {
  s: AgentState;
  constructor() {
    const config = AgentConfigSchema.parse({});
    const s = initialState({ config, host: 'xen1', pid: 1, now: T0, seed: 1, handledThisBoot: new Set(), bootId: 'b', agentVersion: 't', watchdogMs: null });
    const watcher = { ...s.drbd.watcher, gen: 1, running: true };
    this.s = { ...s, phase: 'running', toolstack: 'xl', domains: [], drbd: { ...s.drbd, availability: 'ok', watcher } };
  }
  on(ev: AgentEvent): Effect[] {
    const step = reduce(this.s, ev, T0);
    this.s = step.state;
    return [...step.effects];
  }
  line(text: string): Effect[] {
    const gen = this.s.drbd.watcher.gen;
    const p = parseEvents2Line(text);
    return p.ok ? this.on({ t: 'watch-line', watcher: 'drbd', gen, line: p.value }) : this.on({ t: 'watch-bad-line', watcher: 'drbd', gen, message: p.error.message, text });
  }
  /** the runner's answer to an unwatch: the child ended because we stopped it */
  stoppedExit(): Effect[] {
    return this.on({ t: 'watch-exit', watcher: 'drbd', gen: this.s.drbd.watcher.gen, stoppedByUs: true, notFound: false, why: 'ended (exit null)', cannotOpen: null });
  }
}

const unwatches = (fx: readonly Effect[]) => fx.filter((e) => e.e === 'unwatch' && e.watcher === 'drbd').length;
const warnings = (fx: readonly Effect[]) => fx.filter((e) => e.e === 'log' && (e.level === 'warn' || e.level === 'error'));
const respawnMs = (fx: readonly Effect[]) => fx.flatMap((e) => (e.e === 'timer' && e.name === 'respawn:drbd' ? [e.ms] : []));

describe('an events2 line the agent cannot read', () => {
  it('an unknown verb is skipped with one warning; the known lines still make the state', () => {
    const l = new Loop();
    expect(unwatches(l.line('exists resource name:r1 role:Secondary suspended:no'))).toBe(0);
    const first = l.line('future-verb resource name:r1');
    expect(unwatches(first)).toBe(0);
    expect(warnings(first)).toEqual([expect.objectContaining({ level: 'warn', msg: expect.stringContaining('"future-verb resource"') })]);
    // the same kind again: no second warning, still no restart
    const again = l.line('future-verb resource name:r1 extra:1');
    expect(warnings(again)).toEqual([]);
    expect(unwatches(again)).toBe(0);
    l.line('exists -');
    expect(l.s.drbd.events.initialDone).toBe(true);
    expect(l.s.drbd.events.resources.get('r1')?.role).toBe('Secondary');
    l.line('change resource name:r1 role:Primary');
    expect(l.s.drbd.events.resources.get('r1')?.role).toBe('Primary');
    expect(l.s.drbd.watcher).toMatchObject({ gen: 1, running: true, mode: 'events' });
  });

  it('a malformed line restarts the stream with backoff, then polls after repeated failures', () => {
    const l = new Loop();
    const delays: number[] = [];
    let polled = false;
    for (let i = 0; i < 5 && !polled; i++) {
      expect(unwatches(l.line('exists resource name:r1 role:Bogus'))).toBe(1);
      // more lines of the stopped child: no second unwatch or log
      expect(l.line('exists resource name:r1 role:Bogus')).toEqual([]);
      const fx = l.stoppedExit();
      delays.push(...respawnMs(fx));
      polled = fx.some((e) => e.e === 'poll-drbd');
      if (!polled) l.on({ t: 'timer', name: 'respawn:drbd' });
    }
    expect(delays.length).toBeGreaterThan(0);
    expect(delays.every((d) => d > 0)).toBe(true);
    expect(delays).toEqual([...delays].sort((a, b) => a - b));
    expect(polled).toBe(true);
    expect(l.s.drbd.watcher).toMatchObject({ mode: 'polling', pollingWhy: expect.stringContaining('unreadable line') });
  });

  it('a malformed line after every completed dump still backs off and falls back to polling', () => {
    const l = new Loop();
    const delays: number[] = [];
    let polled = false;
    for (let i = 0; i < 5 && !polled; i++) {
      l.line('exists resource name:r1 role:Secondary');
      l.line('exists -');
      expect(l.s.drbd.watcher.healthy).toBe(true);
      expect(unwatches(l.line('change resource name:r1 role:Bogus'))).toBe(1);
      const fx = l.stoppedExit();
      delays.push(...respawnMs(fx));
      polled = fx.some((e) => e.e === 'poll-drbd');
      if (!polled) l.on({ t: 'timer', name: 'respawn:drbd' });
    }
    expect(delays.length).toBeGreaterThan(0);
    expect(delays.every((d) => d > 0)).toBe(true);
    expect(delays[delays.length - 1]).toBeGreaterThan(delays[0] ?? 0);
    expect(polled).toBe(true);
  });

  it('a stream stopped for lost events still respawns at once', () => {
    const l = new Loop();
    l.line('exists -');
    expect(unwatches(l.line('- skipped 3'))).toBe(1);
    expect(respawnMs(l.stoppedExit())).toEqual([0]);
  });
});
