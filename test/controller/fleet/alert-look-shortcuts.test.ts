// The short cuts of the alert look and of the agents' fleet views, checked against the long way on
// random small fleets: holdsNothingOf answering null at once when no other host reports a config
// of the domU, awayUnrecorded passing over the rows that cannot be named, runningOnFor's one-host
// case and interestOf kept per report. All run for every row or every agent at every look and
// every heartbeat, so the short cut must give what the full walk gives, on any fleet.
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FleetIndex } from '../../../controller/fleet/fleet-index.js';
import { TICK } from '../../../controller/fleet/scan-tick.js';
import { holdsNothingOf, type HoldsNothing } from '../../../controller/fleet/foreign-claims.js';
import { pairsWithHolders } from '../../../controller/fleet/disk-pairing.js';
import { interestOf, runningOnFor } from '../../../controller/fleet/fleet-for-agent.js';
import { awayUnrecorded, awayUnrecordedAmong } from '../../../controller/fleet/migration-alerts.js';
import type { HostRecord } from '../../../controller/fleet/host-record.js';
import type { Finding } from '../../../controller/fleet/finding.js';
import type { HostState, LinkDomuConfig, LinkHome } from '../../../shared/protocol/agent-link-state.js';
import { away, dom, guarded, hostState, primary, record } from '../states.js';
import { FUZZ_SEED } from '../../fuzz/fuzz-kit.js';

const HOSTS = ['xen1', 'xen2', 'xen3', 'xen4'];
const NAMES = ['web1', 'web2', 'db1'];
const NOW = 1_000_000;
const fresh = { now: NOW, staleAfterMs: 15_000 };

const subset = <T>(items: readonly T[]): fc.Arbitrary<T[]> => fc.subarray([...items]);

/** What one host may report of one domU: a row, a guarded entry, a config, an away record, a DRBD resource. */
const partOf = (name: string): fc.Arbitrary<{ name: string; row: 'none' | 'running' | 'paused' | 'incoming'; guard: boolean; config: string[] | null; awayTo: string | null; drbdPeer: string | null }> =>
  fc.record({
    name: fc.constant(name),
    row: fc.constantFrom('none', 'none', 'running', 'running', 'running', 'paused', 'incoming'),
    guard: fc.boolean(),
    config: fc.option(subset(HOSTS), { nil: null, freq: 2 }),
    awayTo: fc.option(fc.constantFrom(...HOSTS), { nil: null, freq: 8 }),
    drbdPeer: fc.option(fc.constantFrom(...HOSTS), { nil: null }),
  });

/** A domU's home claims: usually a pair naming each other (each by its guarded dir or migrate-tab), now and then a stray one. */
const claimsArb: fc.Arbitrary<Array<{ host: string; claim: Omit<LinkHome, 'name'> }>> = fc
  .record({ pair: fc.shuffledSubarray(HOSTS, { minLength: 1, maxLength: 2 }), sources: fc.tuple(fc.constantFrom<LinkHome['source']>('guarded', 'migrate-tab'), fc.constantFrom<LinkHome['source']>('guarded', 'migrate-tab')), stray: fc.option(fc.constantFrom(...HOSTS), { nil: null, freq: 4 }) })
  .map(({ pair, sources, stray }) => [
    ...pair.map((host, i) => ({ host, claim: { peer: pair.find((h) => h !== host) ?? null, source: sources[i] ?? 'guarded' } })),
    ...(stray === null || pair.includes(stray) ? [] : [{ host: stray, claim: { peer: null, source: 'guarded' as const } }]),
  ]);

const hostArb = (host: string, claims: ReadonlyMap<string, Array<{ host: string; claim: Omit<LinkHome, 'name'> }>>): fc.Arbitrary<HostRecord | null> =>
  fc.option(
    fc.record({ parts: fc.tuple(...NAMES.map(partOf)), silent: fc.integer({ min: 0, max: 4 }).map((n) => n === 0) }).map(({ parts, silent }) => {
      const domus: LinkDomuConfig[] = parts.filter((p) => p.config !== null).map((p) => ({ name: p.name, source: 'guarded', memMiB: 1024, vcpus: 1, resources: [{ name: `r-${p.name}`, hosts: p.config ?? [] }] }));
      const state: Partial<HostState> = {
        domains: parts.filter((p) => p.row !== 'none').map((p) => (p.row === 'incoming' ? dom(p.name, { migration: 'incoming' }) : dom(p.name, { state: p.row === 'paused' ? 'paused' : 'blocked' }))),
        homes: NAMES.flatMap((name) => (claims.get(name) ?? []).filter((c) => c.host === host).map((c) => ({ name, ...c.claim }))),
        guarded: parts.filter((p) => p.guard).map((p) => guarded(p.name)),
        domus,
        drbd: { availability: 'ok', resources: parts.flatMap((p) => (p.drbdPeer === null ? [] : [primary(`r-${p.name}`, p.drbdPeer)])) },
        ledger: { seq: 0, away: Object.fromEntries(parts.flatMap((p) => (p.awayTo === null ? [] : [[p.name, away(host, p.awayTo)]]))), visitors: {} },
      };
      return record(host, hostState(state), silent ? NOW - 60_000 : NOW);
    }),
    { nil: null, freq: 5 },
  );

const fleetArb: fc.Arbitrary<FleetIndex> = fc
  .tuple(...NAMES.map(() => claimsArb))
  .chain((perName) => {
    const claims = new Map(NAMES.map((n, i) => [n, perName[i] ?? []]));
    return fc.tuple(...HOSTS.map((h) => hostArb(h, claims)));
  })
  .map((records) => {
    const ix = new FleetIndex();
    for (const r of records) if (r !== null) ix.put(r);
    return ix;
  });

/** holdsNothingOf the long way: every host that speaks of NAME, in order, asked what its config of NAME says. */
function holdsNothingTheLongWay(index: FleetIndex, name: string, host: string): HoldsNothing | null {
  const here = index.record(host)?.state;
  if (here === null || here === undefined) return null;
  const own = here.domus.find((c) => c.name === name);
  if (own !== undefined && !(own.resources.length > 0 && own.resources.every((r) => r.hosts.length > 0 && !r.hosts.includes(host)))) return null;
  const knowers = new Set([...(index.homes.get(name)?.keys() ?? []), ...(index.guarded.get(name)?.keys() ?? []), ...(index.running.get(name)?.keys() ?? [])]);
  let why: HoldsNothing | null = null;
  for (const by of [...knowers].sort()) {
    if (by === host) continue;
    for (const res of index.record(by)?.state?.domus.find((c) => c.name === name)?.resources ?? []) {
      if (res.hosts.includes(host) || pairsWithHolders(host, res.name, [by, ...res.hosts], (h) => index.record(h)?.state?.drbd.resources)) return null;
      if (why === null && res.hosts.includes(by)) why = { resource: res.name, hosts: [...res.hosts].sort(), by, own: own?.resources[0] === undefined ? null : { resource: own.resources[0].name, hosts: [...own.resources[0].hosts].sort() } };
    }
  }
  return why;
}

const findings = (scan: Iterable<Finding | typeof TICK>): Finding[] => [...scan].filter((f): f is Finding => f !== TICK).sort((a, b) => a.id.localeCompare(b.id));

describe('the alert look and the agents\' fleet views take short cuts that change no answer', () => {
  it('holdsNothingOf gives what the walk over every host speaking of the domU gives', () => {
    fc.assert(
      fc.property(fleetArb, (index) => {
        for (const name of NAMES) for (const host of HOSTS) expect(holdsNothingOf(index, name, host)).toEqual(holdsNothingTheLongWay(index, name, host));
      }),
      { seed: FUZZ_SEED, numRuns: 600 },
    );
  });

  it('awayUnrecorded finds what judging every known domU finds', () => {
    let named = 0;
    let outranked = 0;
    fc.assert(
      fc.property(fleetArb, (index) => {
        const fast = findings(awayUnrecorded(index, fresh));
        named += fast.length;
        // a host named though it claims the domU: its guarded claim outranked by a migrate-tab one
        outranked += fast.filter((f) => f.hosts.some((h) => index.homes.get(f.subject)?.get(h)?.source === 'guarded' && f.message.includes(`runs on ${h}`))).length;
        expect(fast).toEqual(findings(awayUnrecordedAmong(index, fresh, index.knownNames())));
      }),
      { seed: FUZZ_SEED, numRuns: 600 },
    );
    // the fleets drawn do raise the alert: an empty answer on both sides proves nothing
    expect([named, outranked]).toEqual([expect.any(Number), expect.any(Number)]);
    expect(named).toBeGreaterThan(100);
    expect(outranked).toBeGreaterThan(0);
  });

  it("runningOnFor and interestOf give what the agents' fleet views are defined as", () => {
    fc.assert(
      fc.property(fleetArb, (index) => {
        for (const host of HOSTS) {
          const s = index.record(host)?.state;
          const interest = s ? [...new Set([...s.guarded.map((g) => g.name), ...s.homes.map((h) => h.name)])].sort() : [];
          expect(interestOf(index, host)).toEqual(interest);
          const running = Object.fromEntries(interest.map((n) => [n, [...(index.running.get(n)?.keys() ?? [])].filter((h) => holdsNothingOf(index, n, h) === null).sort()]));
          expect(runningOnFor(index, interest)).toEqual(running);
        }
      }),
      { seed: FUZZ_SEED, numRuns: 300 },
    );
    // a report whose guarded list changed while its homes section is the very one held: the interest follows
    const index = new FleetIndex();
    const state = hostState({ homes: [{ name: 'web1', peer: null, source: 'guarded' }] });
    index.put(record('xen1', state));
    expect(interestOf(index, 'xen1')).toEqual(['web1']);
    index.put(record('xen1', { ...state, guarded: [guarded('db1')] }));
    expect(interestOf(index, 'xen1')).toEqual(['db1', 'web1']);
  });
});
