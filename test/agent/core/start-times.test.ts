import { describe, expect, it } from 'vitest';
import { AgentConfigSchema } from '../../../agent/config/schema.js';
import type { Effect } from '../../../agent/core/effects.js';
import { hostStateOf } from '../../../agent/core/host-state.js';
import { reduce } from '../../../agent/core/reduce.js';
import { readStartTimes } from '../../../agent/core/start-times.js';
import { CAPABILITIES, initialState, type AgentState } from '../../../agent/core/state.js';
import type { Fx } from '../../../agent/core/timers.js';
import type { InventoryDomain } from '../../../shared/inventory.js';
import { HostStateSchema } from '../../../shared/protocol/agent-link-state.js';
import { LinkDomainSchema } from '../../../shared/protocol/agent-link-values.js';
import { acceptsFor, LINK_FEATURE } from '../../../shared/protocol/agent-link.js';

// Since when Xen has run each domain here (libxl's start_time under its /vm path): read once per
// domain id under xl, reported on its row only to a controller that accepts `domain-started`.

const T0 = Date.UTC(2025, 0, 1);
const domU = (name: string, over: Partial<InventoryDomain> = {}): InventoryDomain => ({ name, baseName: name, domid: 3, state: 'blocked', stateLetters: '-b----', shutdownReason: null, cpuTimeS: 1, memMiB: 1024, vcpus: 1, migration: null, ...over });

const agent = (domains: InventoryDomain[], o: { toolstack?: 'xl' | 'xm'; accepts?: string[] } = {}): AgentState => {
  const s = initialState({ config: AgentConfigSchema.parse({}), host: 'xen1', pid: 1, now: T0, seed: 1, handledThisBoot: new Set(), bootId: 'b', agentVersion: 't', watchdogMs: null });
  return { ...s, phase: 'running', toolstack: o.toolstack ?? 'xl', domains, link: { ...s.link, phase: 'up', accepts: o.accepts ?? [LINK_FEATURE.domainStarted] } };
};
const reads = (fx: readonly Effect[]) => fx.flatMap((e) => (e.e === 'read-start-times' ? [e.domains.map((d) => [d.domid, d.name])] : []));
const logs = (fx: readonly Effect[]) => fx.flatMap((e) => (e.e === 'log' ? [`${e.level}: ${e.msg}`] : []));
const answer = (s: AgentState, value: string | null, problem: string | null = null, domid = 3, name = 'web1') => reduce(s, { t: 'start-times-read', reads: [{ domid, name, value, problem }] }, T0);
const asked = (s: AgentState): AgentState => readStartTimes(s, []);

describe("a domain's start time from xenstore", () => {
  it('is announced, and a controller of this release accepts it', () => {
    expect(CAPABILITIES).toContain(LINK_FEATURE.domainStarted);
    expect(acceptsFor([...CAPABILITIES]).accepts).toContain('domain-started');
  });

  it('is read once per domain id of a plain row under xl: not for a migration half, again for a new id', () => {
    const fx: Fx = [];
    const s = readStartTimes(agent([domU('web1'), domU('db1', { domid: 4, name: 'db1--incoming', migration: 'incoming' })]), fx);
    expect(reads(fx)).toEqual([[[3, 'web1']]]);
    const again: Fx = [];
    const same = readStartTimes(s, again);
    expect(reads(again)).toEqual([]);
    // db1 arrived (renamed under its id), web1 restarted under another id
    const later: Fx = [];
    readStartTimes({ ...same, domains: [domU('web1', { domid: 9 }), domU('db1', { domid: 4 })] }, later);
    expect(reads(later)).toEqual([[[9, 'web1'], [4, 'db1']]]);
  });

  it('is not read under xm: xend writes its own start_time, and carries the sender\'s across a migration', () => {
    const fx: Fx = [];
    readStartTimes(agent([domU('web1')], { toolstack: 'xm' }), fx);
    expect(reads(fx)).toEqual([]);
  });

  it("goes on the domain's row to a controller that accepts it, as a time the link's schema takes", () => {
    const s = answer(asked(agent([domU('web1')])), '1735689600.07').state;
    const row = hostStateOf(s).domains[0];
    expect(row?.startedAt).toBe('2025-01-01T00:00:00.070Z');
    expect(HostStateSchema.safeParse(JSON.parse(JSON.stringify(hostStateOf(s)))).success).toBe(true);
  });

  it('is left off the row for an older controller, whose strict row has no such key', () => {
    const s = answer(asked(agent([domU('web1')], { accepts: ['view-lag'] })), '1735689600.07').state;
    const row = hostStateOf(s).domains[0];
    expect(row === undefined ? false : Object.hasOwn(row, 'startedAt')).toBe(false);
    expect(LinkDomainSchema.safeParse({ ...row, startedAt: '2025-01-01T00:00:00.070Z' }).success).toBe(true);
  });

  it('a value that is not libxl\'s is unknown, said once and never fatal, and not asked again for that domain id', () => {
    const bad = answer(asked(agent([domU('web1')])), '1735689600.123456');
    expect(logs(bad.effects)).toEqual([expect.stringMatching(/^warn: web1's start time in xenstore \(domain 3, start_time under its \/vm path\) is not libxl's: .* its start time stays unknown$/)]);
    expect(hostStateOf(bad.state).domains[0]?.startedAt).toBeUndefined();
    const fx: Fx = [];
    readStartTimes(bad.state, fx);
    expect(reads(fx)).toEqual([]);
    expect(bad.state.timers.has('start-times')).toBe(false);
  });

  // A failed read (xenstored busy) or a key not written yet (read right after a migration's
  // arrival) left the domain without a start time until the agent restarted.
  it('a failed read is asked again on the clock, backing off, and a key written meanwhile is taken', () => {
    let s = answer(asked(agent([domU('web1')])), null, 'xenstore-read /local/domain/3/vm: timed out');
    expect(logs(s.effects)).toEqual([]);
    expect(s.effects).toContainEqual({ e: 'timer', name: 'start-times', ms: 5_000 });
    // not before it is due
    const early = reduce(s.state, { t: 'timer', name: 'start-times' }, T0 + 4_000);
    expect(reads(early.effects)).toEqual([]);
    expect(early.effects).toContainEqual({ e: 'timer', name: 'start-times', ms: 1_000 });
    s = reduce(s.state, { t: 'timer', name: 'start-times' }, T0 + 5_000);
    expect(reads(s.effects)).toEqual([[[3, 'web1']]]);
    // no key yet: asked again, later
    s = reduce(s.state, { t: 'start-times-read', reads: [{ domid: 3, name: 'web1', value: null, problem: null }] }, T0 + 5_100);
    expect(s.effects).toContainEqual({ e: 'timer', name: 'start-times', ms: 20_000 });
    s = reduce(s.state, { t: 'timer', name: 'start-times' }, T0 + 25_100);
    s = reduce(s.state, { t: 'start-times-read', reads: [{ domid: 3, name: 'web1', value: '1735689600.07', problem: null }] }, T0 + 25_200);
    expect(hostStateOf(s.state).domains[0]?.startedAt).toBe('2025-01-01T00:00:00.070Z');
    expect(s.state.timers.has('start-times')).toBe(false);
    expect(logs(s.effects)).toEqual([]);
  });

  // A read that failed four times was given up until the domain's id changed: once xenstored
  // answered again, the domUs still showed no start time until each restarted or the agent did.
  it('a read that keeps failing is said once after four tries, then asked every 10 minutes, all in one read, until it is answered', () => {
    let s = answer(asked(agent([domU('web1'), domU('db1', { domid: 4 })])), null, 'busy');
    s = reduce(s.state, { t: 'start-times-read', reads: [{ domid: 4, name: 'db1', value: null, problem: 'busy' }] }, T0);
    let now = T0;
    const said: string[] = [];
    const runs: number[] = [T0];
    const failAll = (at: number) => reduce(s.state, { t: 'start-times-read', reads: [3, 4].map((domid) => ({ domid, name: domid === 3 ? 'web1' : 'db1', value: null, problem: 'busy' })) }, at);
    // the clock moves a minute at a time, an hour in all
    for (let i = 0; i < 60; i++) {
      now += 60_000;
      s = reduce(s.state, { t: 'timer', name: 'start-times' }, now);
      if (reads(s.effects).length === 0) continue;
      expect(reads(s.effects)).toEqual([[[3, 'web1'], [4, 'db1']]]);
      runs.push(now);
      s = failAll(now);
      said.push(...logs(s.effects));
      expect(s.state.timers.has('start-times')).toBe(true);
    }
    // four quick tries (the first at T0), then one every 10 minutes after the fourth
    const fourth = runs[3] ?? 0;
    expect(runs.slice(4).map((t) => t - fourth)).toEqual([600_000, 1_200_000, 1_800_000, 2_400_000, 3_000_000].filter((d) => fourth + d <= now));
    expect(said).toEqual(['warn: cannot read since when Xen has run web1 (domain 3) and db1 (domain 4) after 4 tries, their start times stay unknown and are asked again every 10 minutes: busy']);
    // xenstored answers again: the times are taken, said, and nothing more is asked
    now += 600_000;
    s = reduce(s.state, { t: 'timer', name: 'start-times' }, now);
    s = reduce(s.state, { t: 'start-times-read', reads: [3, 4].map((domid) => ({ domid, name: domid === 3 ? 'web1' : 'db1', value: '1735689600.07', problem: null })) }, now);
    expect(hostStateOf(s.state).domains.map((d) => d.startedAt)).toEqual(['2025-01-01T00:00:00.070Z', '2025-01-01T00:00:00.070Z']);
    expect(logs(s.effects)).toEqual([expect.stringMatching(/^info: read since when Xen has run web1 \(domain 3\) after \d+ tries: its start time is known$/), expect.stringMatching(/^info: read since when Xen has run db1 /)]);
    expect(s.state.timers.has('start-times')).toBe(false);
  });

  it('a domain given up is asked at once when its id changes, and a read of another domain takes the slow ones along', () => {
    let s = answer(asked(agent([domU('web1')])), null, 'busy');
    let now = T0;
    for (const wait of [5_000, 20_000, 60_000]) {
      now += wait;
      s = reduce(s.state, { t: 'timer', name: 'start-times' }, now);
      s = answer(s.state, null, 'busy');
    }
    // web1 waits at the slow period; db1 arrives, its first read fails
    const fx: Fx = [];
    const arrived = readStartTimes({ ...s.state, domains: [domU('web1'), domU('db1', { domid: 4 })] }, fx);
    expect(reads(fx)).toEqual([[[4, 'db1']]]);
    const failed = reduce(arrived, { t: 'start-times-read', reads: [{ domid: 4, name: 'db1', value: null, problem: 'busy' }] }, now);
    // db1's quick retry 5 s later asks web1 too, in the same read
    expect(reads(reduce(failed.state, { t: 'timer', name: 'start-times' }, now + 5_000).effects)).toEqual([[[3, 'web1'], [4, 'db1']]]);
    // web1 restarted under another id: read again at once
    const again: Fx = [];
    readStartTimes({ ...s.state, domains: [domU('web1', { domid: 9 })] }, again);
    expect(reads(again)).toEqual([[[9, 'web1']]]);
  });

  it("an answer for a domain id since gone or renamed is dropped", () => {
    const s = asked(agent([domU('web1')]));
    expect(hostStateOf(answer(s, '1735689600.07', null, 3, 'other').state).domains[0]?.startedAt).toBeUndefined();
    expect(hostStateOf(answer(s, '1735689600.07', null, 5, 'web1').state).domains[0]?.startedAt).toBeUndefined();
  });
});
