import { describe, expect, it } from 'vitest';
import { AgentConfigSchema } from '../../../agent/config/schema.js';
import type { Effect } from '../../../agent/core/effects.js';
import { onClaimBackoffEnd, onClaimed, onReleased, onReleaseRetry } from '../../../agent/core/claims.js';
import { dropQueued, onCreated } from '../../../agent/core/starts.js';
import { initialState, type AgentState, type StartJob } from '../../../agent/core/state.js';
import type { DrbdResourceView } from '../../../shared/inventory.js';

// The claim before a start (core/claims.ts), in the reducer's own functions: pure, state and
// effects in, state and effects out.

const T0 = Date.UTC(2025, 0, 1);
const config = AgentConfigSchema.parse({});

function state(job: Partial<StartJob> = {}): AgentState {
  return {
    ...initialState({ config, host: 'xen1', pid: 1, now: T0, seed: 1, handledThisBoot: new Set(), bootId: 'b', agentVersion: 't', watchdogMs: null }),
    phase: 'running',
    toolstack: 'xl',
    domains: [],
    jobs: [{ name: 'web1', configPath: '/etc/xen/drbd-auto/web1.cfg', forced: null, phase: 'claiming', replyTo: null, ...job }],
  };
}

const r1 = (peerRole: 'Primary' | 'Secondary'): DrbdResourceView => ({
  name: 'r1', up: true, role: 'Primary', peerRole, connection: 'Connected', disk: 'UpToDate', peerDisk: 'UpToDate',
  peers: [{ name: 'peer', role: peerRole, connection: 'Connected', disk: 'UpToDate', replication: 'Established', syncedPercent: null }],
});
const only = <K extends Effect['e']>(fx: readonly Effect[], e: K): Extract<Effect, { e: K }>[] => fx.filter((x): x is Extract<Effect, { e: K }> => x.e === e);

describe('the claim before a start', () => {
  it('the peer still Secondary after the promotion: xl create, remembering what was promoted', () => {
    const fx: Effect[] = [];
    const n = onClaimed(state(), fx, 'web1', ['r1'], new Map([['r1', r1('Secondary')]]), null);
    expect(only(fx, 'create')).toHaveLength(1);
    expect(only(fx, 'release')).toEqual([]);
    expect(n.jobs[0]).toMatchObject({ phase: 'creating', claimed: ['r1'] });
  });

  it('the peer Primary too (it claimed at the same moment): gives r1 back, then stands back a random 1 to 6 s, then decides again', () => {
    const fx: Effect[] = [];
    const n = onClaimed(state(), fx, 'web1', ['r1'], new Map([['r1', r1('Primary')]]), null);
    expect(only(fx, 'create')).toEqual([]);
    expect(only(fx, 'release')).toEqual([{ e: 'release', name: 'web1', resources: ['r1'] }]);
    expect(n.jobs[0]).toMatchObject({ phase: 'releasing', claimed: ['r1'], releaseThen: 'backoff' });
    const fx2: Effect[] = [];
    const released = onReleased(n, fx2, 'web1', []);
    const timer = only(fx2, 'timer');
    expect(timer).toHaveLength(1);
    expect(timer[0]?.name).toBe('claim:web1');
    expect(timer[0]?.ms).toBeGreaterThanOrEqual(1000);
    expect(timer[0]?.ms).toBeLessThanOrEqual(6000);
    expect(released.jobs[0]?.phase).toBe('backing-off');
    expect(released.rng).not.toBe(state().rng);
    const after = onClaimBackoffEnd(released, 'web1');
    expect(after.jobs).toEqual([]);
    expect(after.dirty).toBe(true);
  });

  it('a release DRBD refused is tried again with backoff; the domU stays busy until it is done', () => {
    const fx: Effect[] = [];
    const n = onClaimed(state(), fx, 'web1', ['r1'], new Map(), 'drbdadm status r1: no answer after 10000 ms, killed');
    expect(n.jobs[0]).toMatchObject({ phase: 'releasing', releaseThen: 'decide' });
    const fx2: Effect[] = [];
    const failed = onReleased(n, fx2, 'web1', ['drbdadm secondary r1: no answer after 10000 ms, killed']);
    expect(only(fx2, 'timer')).toEqual([{ e: 'timer', name: 'release:web1', ms: 2000 }]);
    expect(failed.jobs[0]).toMatchObject({ phase: 'releasing', releaseTries: 1 });
    const fx3: Effect[] = [];
    onReleaseRetry(failed, fx3, 'web1');
    expect(only(fx3, 'release')).toEqual([{ e: 'release', name: 'web1', resources: ['r1'] }]);
    const done = onReleased(failed, [], 'web1', []);
    expect(done.jobs).toEqual([]);
    expect(done.dirty).toBe(true);
  });

  it('a forced start that finds the peer Primary is refused, never retried', () => {
    const fx: Effect[] = [];
    const n = onClaimed(state({ forced: { reason: 'peer dead', operator: null }, replyTo: 7 }), fx, 'web1', ['r1'], new Map([['r1', r1('Primary')]]), null);
    expect(only(fx, 'create')).toEqual([]);
    expect(only(fx, 'release')).toHaveLength(1);
    const reply = only(fx, 'reply')[0];
    expect(reply?.response).toMatchObject({ ok: false, error: { code: 'XH_ERR_REFUSED' } });
    expect(JSON.stringify(reply?.response)).toContain('is Primary on the peer too');
    // what remains only gives r1 back, then decides again: no second try of the forced start
    expect(n.jobs).toEqual([expect.objectContaining({ phase: 'releasing', releaseThen: 'decide', forced: null, replyTo: null })]);
  });

  it('a promotion DRBD refused (two primaries not allowed) or a read that failed: what was promoted is given back, nothing started', () => {
    const fx: Effect[] = [];
    const n = onClaimed(state(), fx, 'web1', [], new Map(), 'drbdadm primary r1: 1: State change failed: (-1) Multiple primaries not allowed by config');
    expect(only(fx, 'create')).toEqual([]);
    expect(only(fx, 'release')).toEqual([]);
    expect(n.jobs).toEqual([]);
    const fx2: Effect[] = [];
    onClaimed(state(), fx2, 'web1', ['r1'], new Map(), 'drbdadm status r1: timed out');
    expect(only(fx2, 'release')).toEqual([{ e: 'release', name: 'web1', resources: ['r1'] }]);
  });

  it('a failed xl create gives back what its claim promoted', () => {
    const fx: Effect[] = [];
    onCreated(state({ phase: 'creating', claimed: ['r1'] }), fx, 'web1', false, 'xl create: failed to free memory for the domain', T0);
    expect(only(fx, 'release')).toEqual([{ e: 'release', name: 'web1', resources: ['r1'] }]);
  });

  it('a stop keeps a release running then (it is waited for), and drops one waiting for its retry (the start record names it)', () => {
    const running = onClaimed(state(), [], 'web1', ['r1'], new Map(), 'drbdadm status r1: timed out');
    expect(running.jobs[0]).toMatchObject({ phase: 'releasing', releaseRunning: true });
    expect(dropQueued({ ...running, phase: 'stopping' }, []).jobs).toHaveLength(1);
    const waiting = onReleased(running, [], 'web1', ['drbdadm secondary r1: no answer after 10000 ms, killed']);
    expect(waiting.jobs[0]).toMatchObject({ phase: 'releasing', releaseRunning: false });
    expect(dropQueued({ ...waiting, phase: 'stopping' }, []).jobs).toEqual([]);
    const retried = onReleaseRetry(waiting, [], 'web1');
    expect(retried.jobs[0]).toMatchObject({ releaseRunning: true });
  });

  it('a release DRBD refuses while the agent stops is not tried again: the job ends, so the stop can', () => {
    const running = onClaimed(state(), [], 'web1', ['r1'], new Map(), 'drbdadm status r1: timed out');
    const fx: Effect[] = [];
    const n = onReleased({ ...running, phase: 'stopping' }, fx, 'web1', ['drbdadm secondary r1: no answer after 10000 ms, killed']);
    expect(n.jobs).toEqual([]);
    expect(only(fx, 'timer')).toEqual([]);
    expect(only(fx, 'log').map((l) => l.msg)).toEqual([expect.stringContaining('the agent is stopping: the next one gives them back at its start')]);
    // nor does a clash's random wait begin once they are back
    const clash = onClaimed(state(), [], 'web1', ['r1'], new Map([['r1', r1('Primary')]]), null);
    const back = onReleased({ ...clash, phase: 'stopping' }, [], 'web1', []);
    expect(back.jobs).toEqual([]);
  });

  it('an agent stopping meanwhile starts nothing and gives the resources back', () => {
    const fx: Effect[] = [];
    onClaimed({ ...state(), phase: 'stopping' }, fx, 'web1', ['r1'], new Map([['r1', r1('Secondary')]]), null);
    expect(only(fx, 'create')).toEqual([]);
    expect(only(fx, 'release')).toHaveLength(1);
  });
});
