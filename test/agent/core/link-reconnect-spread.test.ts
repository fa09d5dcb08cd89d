import { describe, expect, it } from 'vitest';
import { AgentConfigSchema } from '../../../agent/config/schema.js';
import type { Effect } from '../../../agent/core/effects.js';
import { onLinkClosed, onLinkFailed, onLinkMessage } from '../../../agent/core/link.js';
import { CAPABILITIES, initialState, type AgentState } from '../../../agent/core/state.js';
import { AGENT_LINK_PROTOCOL_VERSION, LINK_FEATURE, WelcomeSchema } from '../../../shared/protocol/agent-link.js';

// A controller restart, upgrade or failover drops every agent's link at once. The agents' first
// try then waits a draw in [0, the reconnect spread the controller's welcome gave], not the
// 0.5-1.5 s all of them drew before: 2,000 agents in the same second overflowed the controller's
// listen backlog. Later tries keep the backoff. Pure: the link's state in, the retry timer out.

const T0 = Date.UTC(2025, 0, 1);
const config = AgentConfigSchema.parse({ controller: { url: 'wss://ctl.test:7443', token: 'xh1.000000000000.testtokentesttokentesttoken' } });

function hello(seed: number): AgentState {
  const s = initialState({ config, host: 'xen1', pid: 1, now: T0, seed, handledThisBoot: new Set(), bootId: 'b', agentVersion: 't', watchdogMs: null });
  return { ...s, phase: 'running', link: { ...s.link, phase: 'hello', gen: 1, failures: 3, backoff: { 0: { failures: 3, refused: false, dueAt: T0 } } } };
}

/** The link of SEED welcomed (with SPREAD, if any) and given its fleet view: up. */
function upAfter(seed: number, spread: number | undefined, fleet = true): AgentState {
  const fx: Effect[] = [];
  const welcome = WelcomeSchema.parse({ type: 'welcome', protocol: AGENT_LINK_PROTOCOL_VERSION, heartbeatMs: 5_000, staleAfterMs: 15_000, ...(spread === undefined ? {} : { reconnectSpreadMs: spread }) });
  const s = onLinkMessage(hello(seed), fx, 1, welcome, T0);
  return fleet ? onLinkMessage(s, fx, 1, { type: 'fleet', at: T0, runningOn: {} }, T0) : s;
}

/** The wait of the retry timer EFFECTS arm. */
function retryWait(fx: Effect[]): number {
  const t = fx.find((e): e is Extract<Effect, { e: 'timer' }> => e.e === 'timer' && e.name === 'link-retry');
  if (t === undefined) throw new Error('no retry armed');
  return t.ms;
}

/** The first waits of agents seeded 1..N whose link, up as UP makes it, closed (CODE). */
function firstWaits(up: (seed: number) => AgentState, code = 1006, n = 200): number[] {
  return Array.from({ length: n }, (_, i) => {
    const fx: Effect[] = [];
    onLinkClosed(up(i + 1), fx, 1, code, '', 0);
    return retryWait(fx);
  });
}

describe("the agent's first try after its link to the controller is lost", () => {
  it('is announced in the hello', () => {
    expect(CAPABILITIES).toContain(LINK_FEATURE.reconnectSpread);
  });

  it('spread over [0, the spread of the last welcome]: 2,000 agents told 20 s arrive over 20 s, not within one', () => {
    const waits = firstWaits((seed) => upAfter(seed, 20_000));
    expect(Math.min(...waits)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...waits)).toBeLessThanOrEqual(20_000);
    // spread over the whole range: each fifth of it holds some
    for (let k = 0; k < 5; k++) expect(waits.filter((w) => w >= k * 4_000 && w < (k + 1) * 4_000).length).toBeGreaterThan(10);
  });

  it('a welcome without a spread (an older controller): 0.5 to 1.5 s as before', () => {
    const waits = firstWaits((seed) => upAfter(seed, undefined));
    expect(Math.min(...waits)).toBeGreaterThanOrEqual(500);
    expect(Math.max(...waits)).toBeLessThanOrEqual(1_500);
  });

  it('the tries after the first keep the backoff', () => {
    const fx: Effect[] = [];
    const s = onLinkClosed(upAfter(7, 60_000), fx, 1, 1006, '', 0);
    const again: Effect[] = [];
    onLinkFailed({ ...s, link: { ...s.link, phase: 'connecting', gen: 2 } }, again, 2, 'unreachable', 'connect ECONNREFUSED', 60_000);
    const w = retryWait(again);
    expect(w).toBeGreaterThanOrEqual(1_000);
    expect(w).toBeLessThanOrEqual(3_000);
  });

  it('a link welcomed and closed before its fleet view (a faulty controller) keeps its growing backoff', () => {
    const waits = firstWaits((seed) => upAfter(seed, 60_000, false));
    // four failures in a row: 8 s, jittered by 0.5 to 1.5
    expect(Math.min(...waits)).toBeGreaterThanOrEqual(4_000);
    expect(Math.max(...waits)).toBeLessThanOrEqual(12_000);
  });

  it('a link the controller refused keeps the refusal backoff', () => {
    const waits = firstWaits((seed) => upAfter(seed, 60_000), 1008);
    expect(Math.min(...waits)).toBeGreaterThanOrEqual(500);
    expect(Math.max(...waits)).toBeLessThanOrEqual(1_500);
  });

  it('a Retry-After naming one moment for all (an HTTP date from a proxy before the restarting controller): they come back spread over the reconnect spread after it, never before', () => {
    const moment = 30_000;
    const dials = Array.from({ length: 200 }, (_, i) => {
      const s = onLinkClosed(upAfter(i + 1, 20_000), [], 1, 1001, '', 0);
      // each agent's first try, within its spread, answered 503 with the same date
      const failedAt = 5_000 + i * 10;
      const again: Effect[] = [];
      onLinkFailed({ ...s, link: { ...s.link, phase: 'connecting', gen: 2 } }, again, 2, 'unreachable', "the controller's address answered HTTP 503", failedAt, moment - failedAt);
      return failedAt + retryWait(again);
    });
    expect(Math.min(...dials)).toBeGreaterThanOrEqual(moment);
    expect(Math.max(...dials)).toBeLessThanOrEqual(moment + 20_000);
    // 200 over 20 s: about 10 a second, never most of them in one
    const perSecond = new Map<number, number>();
    for (const d of dials) perSecond.set(Math.floor(d / 1000), (perSecond.get(Math.floor(d / 1000)) ?? 0) + 1);
    expect(Math.max(...perSecond.values())).toBeLessThanOrEqual(30);
  });
});
