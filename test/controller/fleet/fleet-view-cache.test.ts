// The `fleet` views the controller keeps as text (fleet-view-cache.ts) are made again only for the
// hosts whose names the index noted. Random fleets, then random reports replacing some of a host's
// sections (or the host forgotten: random-fleet.ts), with the views of random hosts asked between
// them: each view sent must be, byte for byte, the one fleetFor makes on an index built afresh
// from the same reports.
import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fleetFor } from '../../../controller/fleet/fleet-for-agent.js';
import { FleetViewCache } from '../../../controller/fleet/fleet-view-cache.js';
import type { Freshness, HostRecord } from '../../../controller/fleet/host-record.js';
import { LINK_FEATURE } from '../../../shared/protocol/agent-link.js';
import { FUZZ_SEED } from '../../fuzz/fuzz-kit.js';
import { dom, guarded, hostState, record } from '../states.js';
import { fleetRecordsArb, HOSTS, indexOf, NOW, randomReportArb, walkReports } from './random-fleet.js';
import { FleetIndex } from '../../../controller/fleet/fleet-index.js';
import { heapAfterGc } from '../../fuzz/heap-after-gc.js';
import { standDomains, standState } from '../../bench/stand-state.js';

/** xen1 and xen2 take every part of the view (the silent hosts, the moves to them); the others the runningOn alone. */
const withFeatures = (r: HostRecord): HostRecord => (r.host !== 'xen1' && r.host !== 'xen2' ? r : { ...r, capabilities: [...r.capabilities, LINK_FEATURE.fleetSilent, LINK_FEATURE.incomingMoves] });

const FRESH: Freshness = { now: NOW, staleAfterMs: 15_000, moves: [{ name: 'web1', from: 'xen3', to: 'xen1' }] };

/** Asks the cache for the views of ASKED and checks each against fleetFor over an index built afresh from NOW. */
function checkViews(cache: FleetViewCache, now: ReadonlyArray<HostRecord | null>, asked: readonly string[]): void {
  const fresh = indexOf(now);
  for (const h of asked) expect(cache.text(h, FRESH)).toBe(JSON.stringify(fleetFor(fresh, h, FRESH)));
}

describe('the fleet views kept as text', () => {
  it('are, after random reports, byte for byte the views made afresh', () => {
    fc.assert(
      fc.property(fleetRecordsArb, fc.array(randomReportArb, { minLength: 1, maxLength: 8 }), (records, reports) => {
        const now = records.map((r) => (r === null ? null : withFeatures(r)));
        const index = indexOf(now);
        const cache = new FleetViewCache(index);
        checkViews(cache, now, HOSTS);
        walkReports(index, now, reports, (c) => checkViews(cache, now, c.asked), withFeatures);
        checkViews(cache, now, HOSTS);
      }),
      { seed: FUZZ_SEED, numRuns: 300 },
    );
  });

  it("tells a guarding host of a domU's new place, and of a host that no longer holds it", () => {
    const index = new FleetIndex();
    const cache = new FleetViewCache(index);
    index.put(record('xen1', hostState({ guarded: [guarded('web1')] })));
    index.put(record('xen2', hostState({ domains: [dom('web1')] })));
    expect(JSON.parse(cache.text('xen1', FRESH))).toMatchObject({ runningOn: { web1: ['xen2'] } });
    index.put(record('xen3', hostState({ domains: [dom('web1')] })));
    expect(JSON.parse(cache.text('xen1', FRESH))).toMatchObject({ runningOn: { web1: ['xen2', 'xen3'] } });
    // xen1's config of web1 puts its disk on xen1 and xen2 alone: xen3 holds nothing of it
    index.put(record('xen1', hostState({ guarded: [guarded('web1')], domus: [{ name: 'web1', source: 'guarded', memMiB: 1024, vcpus: 1, resources: [{ name: 'r-web1', hosts: ['xen1', 'xen2'] }] }] })));
    expect(JSON.parse(cache.text('xen1', FRESH))).toMatchObject({ runningOn: { web1: ['xen2'] } });
    expect(cache.text('xen1', { ...FRESH, now: NOW + 5_000 })).toBe(JSON.stringify(fleetFor(index, 'xen1', { ...FRESH, now: NOW + 5_000 })));
  });

  it("keeps a view's text and the hosts it names, not its runningOn beside them", async () => {
    const hosts = Array.from({ length: 400 }, (_, i) => `bench${i}`);
    const ix = new FleetIndex();
    hosts.forEach((h, i) => ix.put(record(h, standState(i, hosts, standDomains(i, 20), 20), NOW)));
    const cache = new FleetViewCache(ix);
    const before = await heapAfterGc();
    const texts = hosts.map((h) => cache.text(h, FRESH));
    const perHost = ((await heapAfterGc()) - before) / hosts.length;
    expect(texts[0]).toContain('"vm0-0":["bench0"]');
    // the text sent and the one kept: some 1.7 KB a host; with its runningOn kept too, some 6 KB
    expect(perHost).toBeLessThan(3_000);
  });
});
