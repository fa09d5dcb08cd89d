// The alert look asks whether a host holds a domU only of the domUs the index keeps as run by a
// host holding nothing of them (foreign-claims.ts foreignRunners), worked out again only for the
// names the index noted. Random fleets, then random reports replacing some of a host's sections
// (or the host forgotten: random-fleet.ts): after each, the kept book must equal the book of an
// index built afresh from the same reports, and so must every alert of the look and the domUs
// check counts running (fleet-check.ts countRunning reads the same book).
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findAlerts } from '../../../controller/fleet/fleet-alerts.js';
import { checkFleet } from '../../../controller/fleet/fleet-check.js';
import { DEFAULT_CHECK_THRESHOLDS } from '../../../shared/protocol/ctl-check.js';
import type { FleetIndex } from '../../../controller/fleet/fleet-index.js';
import { foreignRunners } from '../../../controller/fleet/foreign-claims.js';
import type { Freshness } from '../../../controller/fleet/host-record.js';
import { FUZZ_SEED } from '../../fuzz/fuzz-kit.js';
import { dom, hostState, record } from '../states.js';
import { fleetRecordsArb, indexOf, NOW, randomReportArb, walkReports } from './random-fleet.js';
import { FleetIndex as Index } from '../../../controller/fleet/fleet-index.js';

const FRESH: Freshness = { now: NOW, staleAfterMs: 15_000 };

/** The book as sorted pairs: the hosts' order is the order the index met them in, which differs between an index kept and one built afresh. */
const book = (index: FleetIndex): Array<[string, string[]]> => [...foreignRunners(index)].map(([n, hs]): [string, string[]] => [n, [...hs].sort()]).sort(([a], [b]) => a.localeCompare(b));

describe('the domUs run by a host holding nothing of them, kept', () => {
  it('equal those of an index built afresh after random reports, and the alert look finds what it finds afresh', () => {
    let foreign = 0;
    fc.assert(
      fc.property(fleetRecordsArb, fc.array(randomReportArb, { minLength: 1, maxLength: 8 }), (records, reports) => {
        const now = [...records];
        const index = indexOf(now);
        expect(book(index)).toEqual(book(indexOf(now)));
        walkReports(index, now, reports, () => {
          const fresh = indexOf(now);
          expect(book(index)).toEqual(book(fresh));
          const found = findAlerts(index, FRESH);
          const afresh = findAlerts(fresh, FRESH);
          // every alert whole, its message too: the order the index met the hosts in must not word it
          expect(found).toEqual(afresh);
          foreign += found.filter((f) => f.kind === 'foreign-claim').length;
          // check counts the domUs running (domus_running, domus_unknown) by the same book
          expect(checkFleet(index, [], FRESH, DEFAULT_CHECK_THRESHOLDS).perfdata).toEqual(checkFleet(fresh, [], FRESH, DEFAULT_CHECK_THRESHOLDS).perfdata);
        });
      }),
      { seed: FUZZ_SEED, numRuns: 300 },
    );
    // the fleets drawn hold such copies: the property is not met by an empty book alone
    expect(foreign).toBeGreaterThan(50);
    // No time limit: the property waits for nothing. It is seconds of computing (300 fleets, every
    // report followed by an index built afresh, two alert looks and two checks), which vitest
    // cannot interrupt, only fail once it has passed when a loaded machine made it take longer
    // than the suite's 20 s. Its verdict is what it asserts, on any machine.
  }, 0);

  it('takes in a copy on a host that comes to hold nothing of it, and lets it go when the host holds it again', () => {
    const index = new Index();
    const config = { name: 'web1', source: 'guarded' as const, memMiB: 1024, vcpus: 1, resources: [{ name: 'r-web1', hosts: ['xen1', 'xen2'] }] };
    index.put(record('xen1', hostState({ homes: [{ name: 'web1', peer: 'xen2', source: 'guarded' }], domus: [config] })));
    index.put(record('xen3', hostState({ domains: [dom('web1')] })));
    expect(book(index)).toEqual([['web1', ['xen3']]]);
    expect(findAlerts(index, FRESH).map((f) => f.id)).toContain('foreign-claim:web1@xen3');
    // xen1's config comes to put the disk on xen3 too
    index.put(record('xen1', hostState({ homes: [{ name: 'web1', peer: 'xen2', source: 'guarded' }], domus: [{ ...config, resources: [{ name: 'r-web1', hosts: ['xen1', 'xen3'] }] }] })));
    expect(book(index)).toEqual([]);
    expect(findAlerts(index, FRESH).filter((f) => f.kind === 'foreign-claim')).toEqual([]);
  });
});
