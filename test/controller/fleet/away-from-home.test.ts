import { describe, expect, it } from 'vitest';
import { awayFromHome, domusAwayFromHome, type AwayDomu } from '../../../controller/fleet/away-from-home.js';
import { FleetIndex } from '../../../controller/fleet/fleet-index.js';
import type { HostState, LinkDomain, LinkHome } from '../../../shared/protocol/agent-link-state.js';
import { seededRandom } from '../../../shared/random.js';
import { away, dom, hostState, record } from '../states.js';

const HOSTS = ['xen1', 'xen2', 'xen3', 'xen4'];
const NAMES = ['web01', 'web02', 'db1', 'db2', 'mail', 'dns'];

/** Every domU away from home, worked out from scratch for each name: what the kept answer must equal. */
function awayFromScratch(index: FleetIndex): AwayDomu[] {
  const out: AwayDomu[] = [];
  for (const [name, byHost] of index.running.entries()) {
    const a = awayFromHome(index, name, byHost);
    if (a !== null) out.push(a);
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

describe('domUs away from home, kept up to date', () => {
  it('equals the answer worked out from scratch after every one of 2,000 random reports', () => {
    const random = seededRandom(11);
    const roll = (n: number): number => Math.floor(random() * n);
    const pick = <T,>(xs: readonly T[]): T => xs[roll(xs.length)] as T;
    const index = new FleetIndex();
    const states = new Map<string, HostState>();
    let seen = 0;
    for (let step = 0; step < 2_000; step++) {
      const host = pick(HOSTS);
      const held = states.get(host) ?? hostState();
      const kind = roll(6);
      let state: HostState;
      if (kind === 0 && held.domains.length > 0) {
        // the usual delta: one row's memory moved (a new row object, nothing about where it lives)
        const i = roll(held.domains.length);
        state = { ...held, domains: held.domains.map((d, k) => (k === i ? { ...d, memMiB: d.memMiB + 1 } : d)) };
      } else if (kind === 1) {
        const homes: LinkHome[] = NAMES.filter(() => roll(3) === 0).map((name) => ({ name, peer: roll(4) === 0 ? null : pick(HOSTS), source: roll(2) === 0 ? 'migrate-tab' : 'guarded' }));
        state = { ...held, homes };
      } else if (kind === 2) {
        const awayRecords = Object.fromEntries(NAMES.filter(() => roll(4) === 0).map((n) => [n, away(host, pick(HOSTS), { since: `2024-05-01T14:0${roll(10)}:00.000Z` })]));
        const visitors = Object.fromEntries(NAMES.filter(() => roll(4) === 0).map((n) => [n, { home: pick(HOSTS), since: '2024-05-01T14:02:00.000Z', operationId: 'op-1' }]));
        state = { ...held, ledger: { seq: held.ledger.seq + 1, away: awayRecords, visitors } };
      } else if (kind === 3 && held.domains.length > 0) {
        // one row changes how it lives: stopped, dying, shut off, or half of a migration
        const i = roll(held.domains.length);
        const change = pick<Partial<LinkDomain>>([{ state: 'dying' }, { state: 'stopped' }, { domid: null }, { state: 'running' }, { domid: 3 }]);
        state = { ...held, domains: held.domains.map((d, k) => (k === i ? { ...d, ...change } : d)) };
      } else {
        const domains = NAMES.filter(() => roll(3) === 0).map((n) => (roll(8) === 0 ? dom(n, { migration: pick(['incoming', 'migratedaway'] as const) }) : dom(n, { state: pick(['running', 'blocked', 'paused'] as const) })));
        state = { ...held, domains };
      }
      states.set(host, state);
      index.put(record(host, state));
      // asked now and then, as scrapes and checks come: the names changed meanwhile pile up
      if (roll(3) === 0) {
        const kept = domusAwayFromHome(index);
        expect(kept).toEqual(awayFromScratch(index));
        seen += kept.length;
      }
    }
    // the walk did find domUs away from home, often
    expect(seen).toBeGreaterThan(200);
  });

  it("works out again only the domUs whose rows changed how they live, or whose claims or ledger records changed", () => {
    const index = new FleetIndex();
    const homes: LinkHome[] = [{ name: 'web01', peer: 'xen2', source: 'migrate-tab' }];
    const xen2 = hostState({ domains: [dom('web01'), dom('db1')] });
    index.put(record('xen1', hostState({ homes })));
    index.put(record('xen2', xen2));
    expect(domusAwayFromHome(index).map((a) => [a.name, a.home, a.runningOn])).toEqual([['web01', 'xen1', ['xen2']]]);
    expect(index.takeAwayInputsChanged().size).toBe(0);
    // a memory figure moving is nothing to work out again
    index.put(record('xen2', { ...xen2, domains: [dom('web01', { memMiB: 2048 }), dom('db1', { memMiB: 512 })] }));
    expect(index.takeAwayInputsChanged().size).toBe(0);
    // a row shutting down is
    index.put(record('xen2', { ...xen2, domains: [dom('web01', { state: 'dying' }), dom('db1')] }));
    expect([...index.takeAwayInputsChanged()]).toEqual(['web01']);
    // and so is a claim, and a ledger record (a homes section sent again counts for every name in it)
    index.put(record('xen1', hostState({ homes: [...homes, { name: 'db1', peer: 'xen2', source: 'migrate-tab' }] })));
    index.put(record('xen3', hostState({ ledger: { seq: 1, away: { mail: away('xen3', 'xen4') }, visitors: {} } })));
    expect([...index.takeAwayInputsChanged()].sort()).toEqual(['db1', 'mail', 'web01']);
  });

  it('gives the time the home recorded the domU leaving, and follows that record', () => {
    const index = new FleetIndex();
    index.put(record('xen2', hostState({ domains: [dom('web01')] })));
    index.put(record('xen1', hostState({ homes: [{ name: 'web01', peer: 'xen2', source: 'migrate-tab' }], ledger: { seq: 1, away: { web01: away('xen1', 'xen2', { since: '2024-05-01T14:02:00.000Z' }) }, visitors: {} } })));
    expect(domusAwayFromHome(index).map((a) => a.leftAt)).toEqual([{ iso: '2024-05-01T14:02:00.000Z', host: 'xen1', reason: 'manual' }]);
    index.put(record('xen1', hostState({ homes: [{ name: 'web01', peer: 'xen2', source: 'migrate-tab' }], ledger: { seq: 2, away: { web01: away('xen1', 'xen2', { since: '2024-05-02T09:00:00.000Z', reason: 'drain' }) }, visitors: {} } })));
    expect(domusAwayFromHome(index).map((a) => a.leftAt)).toEqual([{ iso: '2024-05-02T09:00:00.000Z', host: 'xen1', reason: 'drain' }]);
    // back home: no longer away
    index.put(record('xen2', hostState()));
    index.put(record('xen1', hostState({ domains: [dom('web01')], homes: [{ name: 'web01', peer: 'xen2', source: 'migrate-tab' }] })));
    expect(domusAwayFromHome(index)).toEqual([]);
  });
});
