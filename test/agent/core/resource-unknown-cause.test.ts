import { describe, expect, it } from 'vitest';
import { AgentConfigSchema } from '../../../agent/config/schema.js';
import { decide } from '../../../agent/core/decide.js';
import { hostStateOf } from '../../../agent/core/host-state.js';
import { reduce } from '../../../agent/core/reduce.js';
import { initialState, type AgentState } from '../../../agent/core/state.js';
import { statusOf } from '../../../agent/core/status.js';
import { decideAutostart } from '../../../agent/decide/autostart.js';
import type { DrbdResourceView } from '../../../shared/inventory.js';
import { hostRead } from './host-read.js';

// A guarded domU deferred as resource-unknown says why its resource could not be read: the poll's
// tool failure (no such resource in the config, a timeout...), or an events2 stream without its
// first dump. The detail is what `autostart status` shows and what the controller's `check`
// prints after "resource-unknown:", so the cause travels in it. Reducer functions, in process.

const T0 = Date.UTC(2026, 0, 1);
const config = AgentConfigSchema.parse({ events: { drbd: 'poll' } });

function state(mode: 'events' | 'polling'): AgentState {
  const s = initialState({ config, host: 'xen1', pid: 1, now: T0, seed: 1, handledThisBoot: new Set(), bootId: 'b', agentVersion: 't', watchdogMs: null });
  const watcher = mode === 'polling' ? s.drbd.watcher : { ...s.drbd.watcher, mode: 'events' as const, pollOnly: false, pollingWhy: null, gen: 1, running: true };
  return {
    ...s,
    phase: 'running',
    toolstack: 'xl',
    domains: [],
    lastFullRead: T0,
    guarded: [{ name: 'web1', configPath: '/etc/xen/drbd-auto/web1.cfg', drbdResources: ['r1', 'r9'], error: null }],
    drbd: { ...s.drbd, availability: 'ok', watcher },
  };
}

const decided = (s: AgentState) => decide(s, [], T0);
const detailOf = (s: AgentState): string | undefined => statusOf(s, T0).guarded.find((g) => g.name === 'web1')?.detail;

const R1_UP: DrbdResourceView = {
  name: 'r1', up: true, role: 'Secondary', peerRole: 'Secondary', connection: 'Connected', disk: 'UpToDate', peerDisk: 'UpToDate',
  peers: [{ name: 'xen2', role: 'Secondary', connection: 'Connected', disk: 'UpToDate', replication: 'Established', syncedPercent: null }],
};

describe('resource-unknown carries why the resource could not be read', () => {
  it("polling: the poll's failure for that resource, in the status and in the report check reads", () => {
    const notInConfig = "drbdadm status r9: exit 1: 'r9' not defined in your config (for this host).";
    const polled = reduce(state('polling'), { t: 'drbd-polled', views: new Map([['r1', R1_UP]]), problems: [{ resource: 'r9', code: 'XH_ERR_TOOL_FAILED', message: notInConfig }] }, T0).state;
    const s = decided(polled);
    const want = `DRBD resource r9 could not be read: ${notInConfig}`;
    expect(s.records.get('web1')?.decision).toEqual({ kind: 'defer', reason: 'resource-unknown', detail: want });
    expect(detailOf(s)).toBe(want);
    expect(hostStateOf(s).guarded).toEqual([expect.objectContaining({ name: 'web1', decision: 'defer', reason: 'resource-unknown', detail: want })]);
  });

  it('polling: a timeout, and a later poll that read it ends the cause with the defer', () => {
    const timeout = 'drbdadm status r9: no answer after 10000 ms, killed';
    const first = decided(reduce(state('polling'), { t: 'drbd-polled', views: new Map([['r1', R1_UP]]), problems: [{ resource: 'r9', code: 'XH_ERR_TOOL_TIMEOUT', message: timeout }] }, T0).state);
    expect(detailOf(first)).toBe(`DRBD resource r9 could not be read: ${timeout}`);
    const r9 = { ...R1_UP, name: 'r9' };
    const again = decided(reduce(first, { t: 'drbd-polled', views: new Map([['r1', R1_UP], ['r9', r9]]), problems: [] }, T0).state);
    expect(again.records.get('web1')?.decision?.kind).toBe('start');
  });

  it('polling: what the full read polled counts too, with its problems', () => {
    const s = state('polling');
    const read = reduce({ ...s, fullRead: { running: true, again: false, done: 0 } }, {
      t: 'full-read',
      read: hostRead({
        guarded: s.guarded,
        drbd: { availability: 'ok', version: '9.2.12', problem: null, polled: new Map([['r1', R1_UP]]), pollProblems: [{ resource: 'r9', message: 'drbdadm status r9: exit 20: Could not connect to \'drbd\' generic netlink family' }] },
      }),
    }, T0).state;
    expect(detailOf(decided(read))).toBe("DRBD resource r9 could not be read: drbdadm status r9: exit 20: Could not connect to 'drbd' generic netlink family");
  });

  it('events: a stream that has not printed its first dump says so', () => {
    expect(detailOf(decided(state('events')))).toBe('DRBD resource r1 could not be read: drbdsetup events2 has not printed its first full dump yet; it is decided again once it has');
  });

  it('the decision without a known cause keeps the old words', () => {
    const d = decideAutostart({ name: 'web1', drbdResources: ['r1'], domains: [], maintenance: false, awayTo: null, unsettled: null, fleetRunningOn: null, localHost: 'xen1', drbd: { availability: 'ok', resources: new Map() } });
    expect(d).toEqual({ kind: 'defer', reason: 'resource-unknown', detail: 'DRBD resource r1 could not be read' });
  });
});
