import { describe, expect, it } from 'vitest';
import { AgentConfigSchema } from '../../../agent/config/schema.js';
import { decide } from '../../../agent/core/decide.js';
import type { Effect } from '../../../agent/core/effects.js';
import { onCreated } from '../../../agent/core/starts.js';
import { initialState, type AgentState, type StartJob } from '../../../agent/core/state.js';

// A failed `xl create` is logged with when autostart tries it again: the very time the start
// queue then waits for (core/decide.ts), which `autostart status` shows as its retry. Reducer
// functions in process, on a fixed time.

const T0 = Date.UTC(2026, 0, 1, 3, 12, 30);
const config = AgentConfigSchema.parse({ autostart: { retryInitialSeconds: 10, retryMaxSeconds: 600 } });

function creating(job: Partial<StartJob> = {}, attempts = 0): AgentState {
  const s = initialState({ config, host: 'xen1', pid: 1, now: T0, seed: 1, handledThisBoot: new Set(), bootId: 'b', agentVersion: 't', watchdogMs: null });
  return {
    ...s,
    phase: 'running',
    toolstack: 'xl',
    domains: [],
    drbd: { ...s.drbd, availability: 'ok' },
    // no DRBD disks and running nowhere: autostart decides "start" again right after the failure
    guarded: [{ name: 'web1', configPath: '/etc/xen/drbd-auto/web1.cfg', drbdResources: [], error: null }],
    records: new Map([['web1', { decision: null, since: T0, attempts, lastStart: null, retryAt: null }]]),
    jobs: [{ name: 'web1', configPath: '/etc/xen/drbd-auto/web1.cfg', forced: null, phase: 'creating', replyTo: null, ...job }],
  };
}

const errors = (fx: readonly Effect[]) => fx.filter((e): e is Extract<Effect, { e: 'log' }> => e.e === 'log' && e.level === 'error');

describe('a failed xl create says when autostart tries it again', () => {
  it('the first failure: in 10 s, at the time the start queue waits for', () => {
    const fx: Effect[] = [];
    const failed = onCreated(creating(), fx, 'web1', false, 'xl create: failed to free memory for the domain', T0);
    const line = errors(fx)[0];
    expect(line?.msg).toBe('starting web1 failed: xl create: failed to free memory for the domain; autostart tries web1 again in 10 s, at 03:12:40 UTC, if it still decides to start it then');
    expect(line?.fields).toMatchObject({ retryInMs: 10_000, retryAt: '2026-01-01T03:12:40.000Z', attempts: 1 });
    // the decisions right after: the retry is armed for exactly that moment, and status shows it
    const fx2: Effect[] = [];
    const decided = decide(failed, fx2, T0);
    expect(fx2).toContainEqual({ e: 'timer', name: 'retry:web1', ms: 10_000 });
    expect(decided.records.get('web1')?.retryAt).toBe(Date.parse('2026-01-01T03:12:40.000Z'));
  });

  it('the fourth in a row: the doubled wait, 80 s', () => {
    const fx: Effect[] = [];
    onCreated(creating({}, 3), fx, 'web1', false, 'xl create: exit 3', T0);
    expect(errors(fx)[0]?.msg).toBe('starting web1 failed: xl create: exit 3; autostart tries web1 again in 80 s, at 03:13:50 UTC, if it still decides to start it then');
  });

  it('a forced start is not repeated: the line says autostart itself retries only on its own decision', () => {
    const fx: Effect[] = [];
    onCreated(creating({ forced: { reason: 'peer dead', operator: 'root' } }), fx, 'web1', false, 'xl create: exit 3', T0);
    expect(errors(fx)[0]?.msg).toBe(
      'starting web1 failed: xl create: exit 3; autostart itself tries web1 again no sooner than in 10 s, at 03:12:40 UTC, and only if it then decides to start it (--force is not repeated)',
    );
  });
});
