import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../../controller/plan/policy.js';
import { planRebalance } from '../../../controller/plan/rebalance.js';
import { planRoll } from '../../../controller/plan/roll.js';
import { jobSets } from '../../../controller/plan/job-sets.js';
import { settleMigration } from '../../../controller/plan/settle.js';
import type { InspectReport } from '../../../shared/protocol/agent-link.js';
import { dom } from '../states.js';
import { factsOf, NOW, type DomuSpec, type FleetSpec } from './plan-fleet.js';

const P = DEFAULT_POLICY;
const flat = (p: { sets: { name: string; from: string; to: string }[][] }) => p.sets.flat().map((m) => `${m.name}:${m.from}>${m.to}`);

/** n domUs of mem on host h, replicated to every host of the fleet (so any move is allowed). */
const many = (h: string, n: number, mem: number, all: string[], prefix = h): DomuSpec[] => Array.from({ length: n }, (_, i) => ({ name: `${prefix}-${i}`, home: h, replicas: all, memMiB: mem }));

describe('planRebalance', () => {
  const all = ['xen1', 'xen2', 'xen3'];

  it('a balanced fleet plans nothing', () => {
    const spec: FleetSpec = { hosts: { xen1: {}, xen2: {}, xen3: {} }, domus: all.flatMap((h) => many(h, 4, 2048, all)) };
    const p = planRebalance(factsOf(spec), P);
    expect(p.sets).toEqual([]);
    expect(p.scoreAfter).toBe(p.scoreBefore);
  });

  it('evens out domUs without a home: from the loaded host to the empty ones, each at most once, lowering the score', () => {
    const spec: FleetSpec = { hosts: { xen1: {}, xen2: {}, xen3: {} }, domus: many('xen1', 6, 4096, all).map((d) => ({ ...d, noHome: true })) };
    const p = planRebalance(factsOf(spec), P);
    const ms = p.sets.flat();
    expect(ms.length).toBeGreaterThanOrEqual(3);
    expect(new Set(ms.map((m) => m.name)).size).toBe(ms.length);
    expect(ms.every((m) => m.from === 'xen1' && m.why === 'balance')).toBe(true);
    expect(p.scoreAfter).toBeLessThan(p.scoreBefore);
    expect(planRebalance(factsOf(spec), P, null, 1).sets.flat()).toHaveLength(1);
  });

  it('never moves a domU away from its healthy home: the away penalty outweighs any imbalance', () => {
    const spec: FleetSpec = { hosts: { xen1: {}, xen2: {}, xen3: {} }, domus: many('xen1', 6, 4096, all) };
    expect(planRebalance(factsOf(spec), P).sets).toEqual([]);
  });

  it('a domU away from a healthy home goes home', () => {
    const spec: FleetSpec = { hosts: { xen1: {}, xen2: {} }, domus: [{ name: 'w', home: 'xen1', replicas: ['xen1', 'xen2'], memMiB: 1024, on: 'xen2' }, ...many('xen2', 2, 1024, ['xen1', 'xen2'])] };
    expect(flat(planRebalance(factsOf(spec), P))).toEqual(['w:xen2>xen1']);
  });

  it('not one whose migration a ledger keeps as unsettled, however much its home would lower the score', () => {
    const spec: FleetSpec = { hosts: { xen1: {}, xen2: {} }, domus: [{ name: 'w', home: 'xen1', replicas: ['xen1', 'xen2'], memMiB: 1024, on: 'xen2', unsettled: [{ at: 'xen1', peer: 'xen2' }] }, ...many('xen2', 2, 1024, ['xen1', 'xen2'])] };
    expect(flat(planRebalance(factsOf(spec), P))).toEqual([]);
    const roll = planRoll(factsOf(spec), ['xen2'], P);
    expect(roll.leftovers.map((l) => [l.name, l.blocker.kind])).toEqual([['w', 'alarm']]);
  });

  it('not while its home is in maintenance; never onto a host that is not online; not within the cooldown; nothing while paused', () => {
    const parked: FleetSpec = { hosts: { xen1: { maintenance: 'maintenance' }, xen2: {} }, domus: [{ name: 'w', home: 'xen1', replicas: ['xen1', 'xen2'], memMiB: 1024, on: 'xen2' }] };
    expect(planRebalance(factsOf(parked), P).sets).toEqual([]);
    const spec: FleetSpec = { hosts: { xen1: {}, xen2: { maintenance: 'maintenance' }, xen3: {} }, domus: many('xen1', 6, 4096, all).map((d) => ({ ...d, noHome: true })) };
    const p = planRebalance(factsOf(spec), P);
    expect(p.sets.flat().length).toBeGreaterThan(0);
    expect(p.sets.flat().every((m) => m.to === 'xen3')).toBe(true);
    const back = (since: string): FleetSpec => ({ hosts: { xen1: {}, xen2: {} }, domus: [{ name: 'w', home: 'xen1', replicas: ['xen1', 'xen2'], memMiB: 1024, on: 'xen2', since }] });
    expect(planRebalance(factsOf(back(new Date(NOW - 60_000).toISOString())), P).sets).toEqual([]);
    expect(planRebalance(factsOf(back(new Date(NOW - 3_600_000).toISOString())), P).sets.flat()).toHaveLength(1);
    expect(planRebalance(factsOf(spec), P, 'a drain of xen9 runs')).toMatchObject({ sets: [], paused: 'a drain of xen9 runs' });
  });

  it('a domU it leaves away from its online home is listed with why (not "balanced"): the cooldown and its end, a full home', () => {
    const back = (since: string, xen1: { totalMiB?: number } = {}): FleetSpec => ({ hosts: { xen1, xen2: {} }, domus: [{ name: 'w', home: 'xen1', replicas: ['xen1', 'xen2'], memMiB: 1024, on: 'xen2', since }] });
    const recent = planRebalance(factsOf(back(new Date(NOW - 60_000).toISOString())), P);
    expect(recent.leftovers).toEqual([{ name: 'w', host: 'xen2', blocker: { kind: 'cooldown', untilMs: NOW - 60_000 + P.rebalance.cooldownMs }, message: expect.stringMatching(/^w moved recently; rebalance leaves it where it is until \d\d:\d\d UTC \(`xenherdctl reverse w` brings it home now\)$/) }]);
    const full = planRebalance(factsOf(back(new Date(NOW - 3_600_000).toISOString(), { totalMiB: 1024 })), P);
    expect([full.sets, full.leftovers.map((l) => l.blocker.kind)]).toEqual([[], ['no-memory']]);
    // sent home: nothing stays
    expect(planRebalance(factsOf(back(new Date(NOW - 3_600_000).toISOString())), P).leftovers).toEqual([]);
    // a home that is not online is no healthy home: nothing to say about it here
    const parked: FleetSpec = { hosts: { xen1: { maintenance: 'maintenance' }, xen2: {} }, domus: [{ name: 'w', home: 'xen1', replicas: ['xen1', 'xen2'], memMiB: 1024, on: 'xen2' }] };
    expect(planRebalance(factsOf(parked), P).leftovers).toEqual([]);
  });

  it('its moves run out (--max-moves): each domU it leaves away for that alone is listed so, and the plan is not complete', () => {
    const away = (i: number): DomuSpec => ({ name: `w${i}`, home: 'xen1', replicas: ['xen1', 'xen2'], memMiB: 1024, on: 'xen2' });
    const spec: FleetSpec = { hosts: { xen1: {}, xen2: {} }, domus: [away(1), away(2), away(3), away(4)] };
    const p = planRebalance(factsOf(spec), P, null, 2);
    expect(p.sets.flat()).toHaveLength(2);
    const moved = new Set(p.sets.flat().map((m) => m.name));
    expect(p.leftovers.map((l) => [l.name, l.blocker])).toEqual(['w1', 'w2', 'w3', 'w4'].filter((n) => !moved.has(n)).map((n) => [n, { kind: 'move-limit', limit: 2 }]));
    expect(p.leftovers[0]?.message).toMatch(/^w\d: not in this plan, whose 2 moves \(--max-moves\) went to others; run the rebalance again once they are done$/);
    // with moves to spare, nothing is said of the limit
    expect(planRebalance(factsOf(spec), P, null, 4).leftovers).toEqual([]);
  });

  it('a domU running on two hosts away from its home is listed once', () => {
    // a DRBD 9 resource on three nodes: xen7 holds web0's disks too (a copy on a host holding none is no second copy: fleet/foreign-claims.ts)
    const web0 = { name: 'web0', home: 'xen0', replicas: ['xen0', 'xen1', 'xen7'], memMiB: 1024 };
    const spec: FleetSpec = { hosts: { xen0: {}, xen1: {}, xen7: {} }, domus: [{ ...web0, on: 'xen1' }, { ...web0, on: 'xen7' }] };
    const p = planRebalance(factsOf(spec), P);
    expect(p.leftovers.map((l) => [l.name, l.blocker.kind])).toEqual([['web0', 'running-twice']]);
  });

  it('a domU running at its home and on another host is not listed as staying away from home: it is home', () => {
    const web0 = { name: 'web0', home: 'xen0', replicas: ['xen0', 'xen1'], memMiB: 1024 };
    const spec: FleetSpec = { hosts: { xen0: {}, xen1: {} }, domus: [{ ...web0, on: 'xen0' }, { ...web0, on: 'xen1' }] };
    const p = planRebalance(factsOf(spec), P);
    expect([p.sets, p.leftovers]).toEqual([[], []]);
  });

  it('respects DRBD: a domU replicated only on xen1+xen2 never goes to xen3', () => {
    const spec: FleetSpec = { hosts: { xen1: {}, xen2: { totalMiB: 8192 }, xen3: {} }, domus: many('xen1', 6, 2048, ['xen1', 'xen2']).map((d) => ({ ...d, noHome: true })) };
    const ms = planRebalance(factsOf(spec), P).sets.flat();
    expect(ms.length).toBeGreaterThan(0);
    expect(ms.every((m) => m.to === 'xen2')).toBe(true);
  });
});

describe('planRoll', () => {
  it('6 hosts in 3 DRBD pairs: two groups, no pair together, each group fits on the other', () => {
    const hosts = ['a1', 'a2', 'b1', 'b2', 'c1', 'c2'];
    const pair = (x: string, y: string): DomuSpec[] => [...many(x, 2, 2048, [x, y]), ...many(y, 2, 2048, [x, y])];
    const spec: FleetSpec = { hosts: Object.fromEntries(hosts.map((h) => [h, {}])), domus: [...pair('a1', 'a2'), ...pair('b1', 'b2'), ...pair('c1', 'c2')] };
    const p = planRoll(factsOf(spec), hosts, P);
    expect(p.leftovers).toEqual([]);
    expect(p.groups.map((g) => g.hosts)).toEqual([
      ['a1', 'b1', 'c1'],
      ['a2', 'b2', 'c2'],
    ]);
  });

  it('--group-size caps how many hosts are down together: the same 6 hosts in groups of at most 2, or one at a time', () => {
    const hosts = ['a1', 'a2', 'b1', 'b2', 'c1', 'c2'];
    const pair = (x: string, y: string): DomuSpec[] => [...many(x, 2, 2048, [x, y]), ...many(y, 2, 2048, [x, y])];
    const spec: FleetSpec = { hosts: Object.fromEntries(hosts.map((h) => [h, {}])), domus: [...pair('a1', 'a2'), ...pair('b1', 'b2'), ...pair('c1', 'c2')] };
    const twos = planRoll(factsOf(spec), hosts, P, 2).groups.map((g) => g.hosts);
    expect(twos.every((g) => g.length <= 2)).toBe(true);
    expect(twos.flat().sort()).toEqual(hosts);
    expect(twos.filter((g) => ['a', 'b', 'c'].some((p) => g.includes(`${p}1`) && g.includes(`${p}2`)))).toEqual([]);
    expect(planRoll(factsOf(spec), hosts, P, 1).groups.map((g) => g.hosts)).toEqual(hosts.map((h) => [h]));
    expect(planRoll(factsOf(spec), hosts, P, 3)).toEqual(planRoll(factsOf(spec), hosts, P));
  });

  it('a group is split when the rest would lack room for it', () => {
    const spec: FleetSpec = {
      hosts: { x: { totalMiB: 12_288 }, y: { totalMiB: 12_288 }, z: { totalMiB: 12_288 } },
      domus: [...many('x', 2, 4096, ['x', 'y', 'z']), ...many('y', 2, 4096, ['x', 'y', 'z'])],
    };
    expect(planRoll(factsOf(spec), ['x', 'y'], P).groups.map((g) => g.hosts)).toEqual([['x'], ['y']]);
  });

  it('refuses, listing why, when a host cannot be drained at all', () => {
    const spec: FleetSpec = { hosts: { x: {}, y: {} }, domus: [{ name: 'solo', home: 'x', replicas: ['x'], memMiB: 512 }] };
    const p = planRoll(factsOf(spec), ['x', 'y'], P);
    expect(p.groups).toEqual([]);
    expect(p.leftovers.map((l) => l.blocker.kind)).toEqual(['no-replica']);
  });
});

describe('job sets and settling', () => {
  const m = (name: string, from: string, to: string) => ({ name, from, to, memMiB: 1, vcpus: 1, why: 'balance' as const });
  const names = (sets: readonly (readonly { name: string }[])[]): string[][] => sets.map((s) => s.map((x) => x.name));

  it('with one move per host at a time, sets touch disjoint hosts and keep the order of moves sharing a host', () => {
    const sets = jobSets([m('a', 'x', 'y'), m('b', 'z', 'w'), m('c', 'y', 'z'), m('a2', 'v', 'u')], { perSource: 1, perTarget: 1, global: 10 });
    expect(names(sets)).toEqual([['a', 'b', 'a2'], ['c']]);
  });

  it('a set holds at most `global` moves: what the executor starts at once', () => {
    const sets = jobSets([m('a', 'x', 'y'), m('b', 'z', 'w'), m('c', 'v', 'u')], { perSource: 1, perTarget: 1, global: 2 });
    expect(names(sets)).toEqual([['a', 'b'], ['c']]);
  });

  it('--max-parallel 2 out of one host: two moves a set, but never two into one target while perTarget is 1', () => {
    const limits = { perSource: 2, perTarget: 1, global: 2 };
    expect(names(jobSets([m('a', 'x', 'y'), m('b', 'x', 'z'), m('c', 'x', 'y'), m('d', 'x', 'z'), m('e', 'x', 'w')], limits))).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    expect(names(jobSets([m('a', 'x', 'y'), m('b', 'x', 'y'), m('c', 'x', 'z')], limits))).toEqual([['a', 'c'], ['b']]);
  });

  it('a host never sends and receives in one set, and an arrival that needs a departure\'s memory comes after it', () => {
    const sets = jobSets([m('v', 'h', 'y'), m('a', 'x', 'h'), m('b', 'z', 'w')], { perSource: 4, perTarget: 4, global: 4 });
    expect(names(sets)).toEqual([['v', 'b'], ['a']]);
    expect(names(jobSets([m('a', 'x', 'y'), m('a', 'y', 'z')], { perSource: 4, perTarget: 4, global: 4 }))).toEqual([['a'], ['a']]);
  });

  it('settles an ambiguous ending from both hosts, never guessing', () => {
    const r = (host: string, rows: InspectReport['rows'], busy = false): InspectReport => ({ kind: 'inspect', host, name: 'w', rows, resources: [], busy });
    expect(settleMigration(r('s', []), r('t', [dom('w')])).verdict).toBe('at-target');
    expect(settleMigration(r('s', [dom('w')]), r('t', [])).verdict).toBe('at-source');
    expect(settleMigration(r('s', [dom('w', { migration: 'migratedaway' })]), r('t', [dom('w', { migration: 'incoming' })])).verdict).toBe('in-flight');
    expect(settleMigration(r('s', [dom('w')]), r('t', [], true)).verdict).toBe('in-flight');
    expect(settleMigration(r('s', [dom('w')]), r('t', [dom('w')])).verdict).toBe('both');
    expect(settleMigration(r('s', []), r('t', [])).verdict).toBe('neither');
  });
});
