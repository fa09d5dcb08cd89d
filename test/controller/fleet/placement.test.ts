import { describe, expect, it } from 'vitest';
import { FleetIndex } from '../../../controller/fleet/fleet-index.js';
import { mergeFleet } from '../../../controller/fleet/merge.js';
import { compilePattern, matches } from '../../../shared/name-pattern.js';
import { domainRows, whereMatches } from '../../../controller/fleet/views.js';
import { domusAwayFromHome } from '../../../controller/fleet/away-from-home.js';
import { away, dom, guarded, hostState, record } from '../states.js';

const NOW = 1_000_000;
const fresh = { now: NOW, staleAfterMs: 15_000 };
const none = (): string[] => [];
const where = (index: FleetIndex, p: string) => {
  const c = compilePattern(p);
  if (!c.ok) throw new Error(c.error);
  return whereMatches(index, c.value, fresh, none);
};

const fleet = () =>
  mergeFleet(
    [
      record('xen1', hostState({ domains: [dom('db1')], homes: [{ name: 'web01', peer: 'xen2', source: 'migrate-tab' }, { name: 'db1', peer: 'xen2', source: 'migrate-tab' }], ledger: { seq: 2, away: { web01: away('xen1', 'xen2') }, visitors: {} }, guarded: [guarded('web01'), guarded('db1')] }), NOW - 300),
      record('xen2', hostState({ domains: [dom('web01'), dom('web02')], ledger: { seq: 1, away: {}, visitors: { web01: { home: 'xen1', since: '2024-05-01T14:02:00.000Z', operationId: 'op-1' } } } }), NOW - 1_200),
    ],
    fresh,
  ).index;

describe('where: the fleet merged per domU', () => {
  it('an exact name: the host running it, its home and the away record, as old as its source', () => {
    const [m] = where(fleet(), 'web01');
    expect(m?.places.map((p) => [p.host, p.domain.state, p.reachable, p.ageMs])).toEqual([['xen2', 'blocked', true, 1200]]);
    expect(m?.home).toBe('xen1');
    expect(m?.away).toMatchObject({ currentHost: 'xen2', reason: 'manual' });
    expect(m?.visitor).toMatchObject({ host: 'xen2', home: 'xen1' });
    expect(m?.ageMs).toBe(1200);
    expect(m?.midMigration).toBe(false);
  });

  // xenherdctl check called such a domU away from home ("no ledger records it") while where showed
  // a plain "home xen1": the two rules now agree, as one (away-from-home.ts)
  it('a domU started by hand on the peer, no ledger record: marked away from home, as check counts it', () => {
    const index = mergeFleet(
      [
        record('xen1', hostState({ homes: [{ name: 'web01', peer: 'xen2', source: 'migrate-tab' }, { name: 'db1', peer: 'xen2', source: 'migrate-tab' }], domains: [dom('db1')] }), NOW - 300),
        record('xen2', hostState({ domains: [dom('web01')] }), NOW - 300),
      ],
      fresh,
    ).index;
    expect(domusAwayFromHome(index).map((a) => a.name)).toEqual(['web01']);
    const [web01, db1] = [where(index, 'web01')[0], where(index, 'db1')[0]];
    expect(web01).toMatchObject({ home: 'xen1', away: null, visitor: null, awayFromHome: true });
    expect(db1?.awayFromHome).toBeUndefined();
  });

  it('a glob, sorted by name', () => {
    expect(where(fleet(), 'web*').map((m) => m.name)).toEqual(['web01', 'web02']);
    expect(where(fleet(), '?b1').map((m) => m.name)).toEqual(['db1']);
    expect(where(fleet(), 'web0[!1]').map((m) => m.name)).toEqual(['web02']);
  });

  it('nothing for an unknown name', () => {
    expect(where(fleet(), 'nope')).toEqual([]);
    expect(where(fleet(), 'x*')).toEqual([]);
  });

  it('a domU known only from a home (not running anywhere) is found, with no places', () => {
    const index = mergeFleet([record('xen1', hostState({ homes: [{ name: 'cold1', peer: null, source: 'migrate-tab' }], guarded: [guarded('cold1', [], { decision: 'defer', reason: 'peer-unknown' })] }))], fresh).index;
    const [m] = where(index, 'cold1');
    expect(m?.places).toEqual([]);
    expect(m?.home).toBe('xen1');
    expect(m?.autostart).toEqual([{ host: 'xen1', decision: 'defer', reason: 'peer-unknown', since: '2024-05-01T14:02:00.000Z' }]);
  });

  it("a pair's two claims settle on the migrate-tab one, else the one it left, else the one running it", () => {
    const claim = (peer: string, source: 'migrate-tab' | 'guarded') => [{ name: 'db1', peer, source }];
    const home = (x1: Parameters<typeof hostState>[0], x2: Parameters<typeof hostState>[0]) => where(mergeFleet([record('xen1', hostState(x1)), record('xen2', hostState(x2))], fresh).index, 'db1')[0]?.home;
    expect(home({ homes: claim('xen2', 'guarded') }, { homes: claim('xen1', 'migrate-tab') })).toBe('xen2');
    expect(home({ homes: claim('xen2', 'guarded'), ledger: { seq: 1, away: { db1: away('xen1', 'xen2') }, visitors: {} } }, { homes: claim('xen1', 'guarded'), domains: [dom('db1')] })).toBe('xen1');
    expect(home({ homes: claim('xen2', 'guarded'), domains: [dom('db1')] }, { homes: claim('xen1', 'guarded') })).toBe('xen1');
    expect(home({ homes: claim('xen2', 'guarded') }, { homes: claim('xen1', 'guarded') })).toBeNull();
  });

  it('with no claim, the home the ledgers name when they agree, none when they do not', () => {
    const visiting = { seq: 1, away: {}, visitors: { db1: { home: 'xen1', since: '2024-05-01T14:02:00.000Z', operationId: 'op-1' } } };
    const home = (...hosts: Parameters<typeof record>[]) => where(mergeFleet(hosts.map((h) => record(...h)), fresh).index, 'db1')[0]?.home;
    expect(home(['xen2', hostState({ domains: [dom('db1')], ledger: visiting })])).toBe('xen1');
    // the home's own away record agrees with the visitor record
    expect(home(['xen2', hostState({ domains: [dom('db1')], ledger: visiting })], ['xen1', hostState({ ledger: { seq: 1, away: { db1: away('xen1', 'xen2') }, visitors: {} } })])).toBe('xen1');
    // a third host's away record names itself as db1's home: the ledgers disagree
    expect(home(['xen2', hostState({ domains: [dom('db1')], ledger: visiting })], ['xen3', hostState({ ledger: { seq: 1, away: { db1: away('xen3', 'xen2') }, visitors: {} } })])).toBeNull();
    expect(home(['xen2', hostState({ domains: [dom('db1')] })])).toBeNull();
  });

  it('migration rows count for their base name and mark it mid-migration, the plain row first', () => {
    const index = mergeFleet([record('xen1', hostState({ domains: [dom('web01', { migration: 'migratedaway' })] })), record('xen2', hostState({ domains: [dom('web01', { migration: 'incoming' })] }))], fresh).index;
    const [m] = where(index, 'web01');
    expect(m?.places.map((p) => p.domain.name)).toEqual(['web01--migratedaway', 'web01--incoming']);
    expect(m?.midMigration).toBe(true);
  });

  it('an unreachable host makes the answer unreachable', () => {
    const index = mergeFleet([record('xen1', hostState({ domains: [dom('web01')] }), NOW - 40_000, false)], fresh).index;
    const [m] = where(index, 'web01');
    expect(m?.reachable).toBe(false);
    expect(m?.ageMs).toBe(40_000);
  });

  it('Domain-0 is not a domU', () => {
    const index = mergeFleet([record('xen1', hostState({ domains: [dom('Domain-0', { domid: 0 }), dom('a')] }))], fresh).index;
    expect(where(index, '*').map((m) => m.name)).toEqual(['a']);
    expect(domainRows(index, null, fresh).map((r) => r.name)).toEqual(['a']);
  });
});

describe('the incremental index', () => {
  it('a delta replacing one host section gives the same view as merging from scratch', () => {
    const index = new FleetIndex();
    const s1 = hostState({ domains: [dom('a'), dom('b')], homes: [{ name: 'a', peer: null, source: 'migrate-tab' }] });
    index.put(record('xen1', s1));
    index.put(record('xen2', hostState({ domains: [dom('c')] })));
    const changed = index.put(record('xen1', { ...s1, domains: [dom('b'), dom('c')] }));
    expect(changed.sort()).toEqual(['a', 'c']);
    const scratch = mergeFleet([record('xen1', { ...s1, domains: [dom('b'), dom('c')] }), record('xen2', hostState({ domains: [dom('c')] }))], fresh).index;
    for (const p of ['*', 'a', 'c']) expect(where(index, p)).toEqual(where(scratch, p));
  });

  it('a state change that keeps the hosts of every domU reports no running change', () => {
    const index = new FleetIndex();
    index.put(record('xen1', hostState({ domains: [dom('a')] })));
    expect(index.put(record('xen1', hostState({ domains: [dom('a', { state: 'paused' })] })))).toEqual([]);
  });
});

describe('patterns', () => {
  it('refuses regex syntax and unclosed classes with a sentence', () => {
    expect(compilePattern('a.*(b)').ok).toBe(false);
    expect(compilePattern('web[').ok).toBe(false);
    expect(compilePattern('').ok).toBe(false);
    expect(compilePattern('a'.repeat(129)).ok).toBe(false);
  });
  it('a dot is literal', () => {
    const p = compilePattern('a.b*');
    expect(p.ok && matches(p.value, 'axb1')).toBe(false);
    expect(p.ok && matches(p.value, 'a.b1')).toBe(true);
  });
});
