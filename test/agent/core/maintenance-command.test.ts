import { describe, expect, it } from 'vitest';
import type { Effect } from '../../../agent/core/effects.js';
import type { AgentEvent, HostRead } from '../../../agent/core/events.js';
import { leaseLeftMs } from '../../../agent/core/maintenance-command.js';
import { reduce } from '../../../agent/core/reduce.js';
import { initialState, type AgentState } from '../../../agent/core/state.js';
import { ONLINE, type Maintenance } from '../../../shared/protocol/agent-link-state.js';
import { hostRead, POLLING, T0 } from './host-read.js';

// The maintenance command inside the agent's reducer: the flag a full read brings against the one
// this agent just wrote, and the lease an agent gives a flag it finds active when it starts. Pure:
// events in, state and effects out, time as the reducer is given it.

const config = POLLING;
const DRAINING: Maintenance = { state: 'draining', operationId: 'drain-1', owner: 'ctl-a' };

const read = (flag: Maintenance): HostRead => hostRead({ maintenance: { flag, problem: null } });

class Loop {
  s: AgentState = initialState({ config, host: 'xen1', pid: 1, now: T0, seed: 1, handledThisBoot: new Set(), bootId: 'b', agentVersion: 't', watchdogMs: null });
  effects: Effect[] = [];
  now = T0;
  on(ev: AgentEvent, at = this.now): Effect[] {
    this.now = at;
    const step = reduce(this.s, ev, at);
    this.s = step.state;
    this.effects.push(...step.effects);
    return [...step.effects];
  }
  command(state: Maintenance['state'], from: Maintenance['state'][], id: string, owner = 'ctl-a'): Effect[] {
    return this.on({ t: 'link-message', gen: 0, message: { type: 'command', commandId: id, op: 'maintenance', state, from, operationId: 'drain-1', owner, leaseMs: 30_000, by: 'ctl:admin' } });
  }
}

const writes = (fx: Effect[]) => fx.filter((e) => e.e === 'write-maintenance');

describe('the maintenance flag in the reducer', () => {
  it('a full read that may have begun before our write does not undo it; a later one is taken', () => {
    const l = new Loop();
    l.on({ t: 'start' });
    l.on({ t: 'full-read', read: read(ONLINE) });
    l.on({ t: 'control', id: 1, conn: 1, req: { v: 1, op: 'reload' } }); // full read #2 now runs
    expect(l.s.fullRead.running).toBe(true);
    expect(writes(l.command('draining', ['online'], 'c1'))).toEqual([{ e: 'write-maintenance', flag: DRAINING, since: new Date(T0).toISOString() }]);
    l.on({ t: 'maintenance-written', problem: null }, T0 + 10);
    expect(l.s.maintenance).toEqual(DRAINING);
    l.on({ t: 'full-read', read: read(ONLINE) }, T0 + 20); // #2: read the file before the write
    expect(l.s.maintenance).toEqual(DRAINING);
    expect(leaseLeftMs(l.s, T0 + 20)).toBe(29_990);
    l.on({ t: 'control', id: 2, conn: 2, req: { v: 1, op: 'reload' } });
    l.on({ t: 'full-read', read: read(DRAINING) }, T0 + 30); // #3: began after it, and agrees
    expect(l.s.maintenance).toEqual(DRAINING);
    expect(leaseLeftMs(l.s, T0 + 30)).toBe(29_980);
  });

  it('while a write is in flight, a read that already sees the new file changes nothing; a second command waits for the write', () => {
    const l = new Loop();
    l.on({ t: 'start' });
    l.on({ t: 'full-read', read: read(ONLINE) });
    l.command('draining', ['online'], 'c1');
    expect(writes(l.command('draining', ['online'], 'c2', 'ctl-b'))).toEqual([]);
    l.on({ t: 'control', id: 1, conn: 1, req: { v: 1, op: 'reload' } });
    l.on({ t: 'full-read', read: read(DRAINING) });
    expect(l.s.maintenance).toEqual(ONLINE);
    const after = l.on({ t: 'maintenance-written', problem: null }, T0 + 5);
    expect(l.s.maintenance).toEqual(DRAINING);
    expect(l.s.maintenanceKeeping.queue).toEqual([]);
    // c2 was judged on the written flag: its `from` no longer holds
    expect(writes(after)).toEqual([]);
    expect(l.s.commands).toEqual([]);
  });

  it('a flag found active at the agent\'s first read gets 60 s from the agent\'s start; a settled one none', () => {
    const l = new Loop();
    l.on({ t: 'start' });
    l.on({ t: 'full-read', read: read(DRAINING) }, T0 + 2_000);
    expect(l.s.maintenance).toEqual(DRAINING);
    expect(leaseLeftMs(l.s, T0 + 2_000)).toBe(58_000);
    expect(leaseLeftMs(l.s, T0 + 61_000)).toBe(0);

    const m = new Loop();
    m.on({ t: 'start' });
    m.on({ t: 'full-read', read: read({ state: 'maintenance', operationId: 'drain-1', owner: 'ctl-a' }) });
    expect(leaseLeftMs(m.s, T0)).toBe(0);
  });

  it('a flag changed on disk by something else keeps no lease', () => {
    const l = new Loop();
    l.on({ t: 'start' });
    l.on({ t: 'full-read', read: read(DRAINING) });
    l.on({ t: 'control', id: 1, conn: 1, req: { v: 1, op: 'reload' } });
    l.on({ t: 'full-read', read: read({ ...DRAINING, operationId: 'drain-9' }) }, T0 + 1_000);
    expect(l.s.maintenance.operationId).toBe('drain-9');
    expect(leaseLeftMs(l.s, T0 + 1_000)).toBe(0);
  });

  it('says the state in words: "in maintenance", never "maintenance maintenance"', () => {
    const l = new Loop();
    l.on({ t: 'start' });
    l.on({ t: 'full-read', read: read(DRAINING) });
    const asked = l.command('maintenance', ['draining'], 'c1');
    // nothing may run when the host goes into maintenance: the agent looks first
    expect(asked.map((e) => e.e)).toContain('read-domains');
    const looked = l.on({ t: 'domains-read', read: { ok: true, domains: [] }, tookMs: 1 }, T0 + 1);
    expect(writes(looked)).toHaveLength(1);
    const done = l.on({ t: 'maintenance-written', problem: null }, T0 + 5);
    const msgs = [...asked, ...looked, ...done].flatMap((e) => (e.e === 'log' ? [e.msg] : []));
    expect(msgs).toContain('controller command: maintenance flag: in maintenance (by ctl:admin, operation drain-1, owner ctl-a)');
    expect(msgs).toContain('controller command maintenance done: xen1 is in maintenance');
    expect(msgs.join('\n')).not.toMatch(/maintenance maintenance/);
  });

  it('refuses before the flag was ever read', () => {
    const l = new Loop();
    l.on({ t: 'start' });
    expect(writes(l.command('draining', ['online'], 'c1'))).toEqual([]);
    expect(l.s.commands).toEqual([]);
  });
});
