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
import type { Finding } from '../../../controller/fleet/finding.js';
import { dom, guarded, hostState, record } from '../states.js';
import { FUZZ_SEED } from '../../fuzz/fuzz-kit.js';
import { fleetArb, HOSTS, indexOf, NAMES, NOW } from './random-fleet.js';

const fresh = { now: NOW, staleAfterMs: 15_000 };

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

/**
 * A fleet where away-unrecorded names a host though it claims the domU, drawn by hand: random
 * fleets draw that case (a guarded claim outranked by its pair's migrate-tab claim) only a few
 * times in 600 (2 to 11 on seeds 1 to 10), so no seed is sure to. web1's home is xen1 by its
 * migrate-tab; xen2, whose guarded dir alone claims it, runs it with no ledger recording it there.
 */
function runOnItsOutrankedHalf(): [FleetIndex] {
  const homes = (peer: string, source: 'guarded' | 'migrate-tab') => [{ name: 'web1', peer, source }];
  return [indexOf([record('xen1', hostState({ homes: homes('xen2', 'migrate-tab') })), record('xen2', hostState({ domains: [dom('web1')], homes: homes('xen1', 'guarded') }))])];
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
      { seed: FUZZ_SEED, numRuns: 600, examples: [runOnItsOutrankedHalf()] },
    );
    // the fleets drawn do raise the alert: an empty answer on both sides proves nothing
    expect([named, outranked]).toEqual([expect.any(Number), expect.any(Number)]);
    // 102 to 122 on seeds 1 to 10: a floor well under them, so no other seed fails it by chance
    expect(named).toBeGreaterThan(50);
    // certain on every seed through runOnItsOutrankedHalf; the random fleets add theirs when they draw one
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
