// check's domUs running and unknown count the domUs live on one Dom0 alone by that Dom0 (kept by
// look-shortlist.ts as the index changes) and ask only the others. Random fleets, then random
// reports (random-fleet.ts) with hosts falling silent and time passing on the injected clock, and
// random domUs named crashed: after each, the counts must be those of the walk over every domU.
import * as fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { runsSomewhere } from '../../../controller/fleet/crashed-domus.js';
import { countRunning } from '../../../controller/fleet/fleet-check.js';
import { FleetIndex } from '../../../controller/fleet/fleet-index.js';
import { foreignRunners } from '../../../controller/fleet/foreign-claims.js';
import { isReachable, type Freshness } from '../../../controller/fleet/host-record.js';
import { isLive } from '../../../controller/fleet/live-row.js';
import { FUZZ_SEED } from '../../fuzz/fuzz-kit.js';
import { deterministicClock } from '../../sim/daemon/clock.js';
import { dom, hostState, record } from '../states.js';
import { fleetRecordsArb, indexOf, NAMES, NOW, randomReportArb, walkReportsOverTime } from './random-fleet.js';

/** The counts the long way: every domU of the index asked where it is live and whether that Dom0 is heard. */
function countTheLongWay(index: FleetIndex, crashed: ReadonlySet<string>, fresh: Freshness): { running: number; unknown: number } {
  const reachable = (host: string): boolean => {
    const rec = index.record(host);
    return rec !== undefined && isReachable(rec, fresh.now, fresh.staleAfterMs);
  };
  const holds = (name: string, host: string): boolean => foreignRunners(index).get(name)?.includes(host) !== true;
  let running = 0;
  let unknown = 0;
  for (const [name, byHost] of index.running.entries()) {
    const liveOn = [...byHost].filter(([host, rows]) => rows.some((d) => isLive(d) && (d.migration !== null || holds(name, host)))).map(([h]) => h);
    const live = liveOn.some(reachable);
    if (live && (!crashed.has(name) || runsSomewhere(byHost, (host) => reachable(host) && holds(name, host)))) running++;
    else if (!live && liveOn.length > 0) unknown++;
  }
  return { running, unknown };
}

describe("check's domUs running and unknown", () => {
  it('are what the walk over every domU finds, after random reports, silences, crashes and time passing', async () => {
    let counted = 0;
    await fc.assert(
      fc.asyncProperty(fleetRecordsArb, fc.array(fc.tuple(randomReportArb, fc.integer({ min: 0, max: 40_000 }), fc.boolean(), fc.subarray(NAMES)), { minLength: 1, maxLength: 8 }), async (records, steps) => {
        const clock = deterministicClock(NOW);
        const held = [...records];
        const index = indexOf(held);
        const counts = (crashed: ReadonlySet<string>): void => {
          const fresh: Freshness = { now: clock.now(), staleAfterMs: 15_000 };
          const long = countTheLongWay(index, crashed, fresh);
          expect(countRunning(index, crashed, fresh)).toEqual(long);
          counted += long.running + long.unknown;
        };
        await walkReportsOverTime(index, held, clock, steps, (step) => counts(new Set(step?.[3] ?? [])));
      }),
      { seed: FUZZ_SEED, numRuns: 100 },
    );
    expect(counted).toBeGreaterThan(1_000);
  });

  it('asks no domU of a fleet of single copies', () => {
    const index = new FleetIndex();
    for (let h = 0; h < 200; h++) index.put(record(`xen${h}`, hostState({ domains: Array.from({ length: 10 }, (_, i) => dom(`vm${h}-${i}`)) }), h < 20 ? NOW - 60_000 : NOW));
    const at: Freshness = { now: NOW, staleAfterMs: 15_000 };
    // the first check sorts every name the reports brought; the next asks none
    expect(countRunning(index, new Set(), at)).toEqual({ running: 1_800, unknown: 200 });
    const walk = vi.spyOn(index.running, 'entries');
    const get = vi.spyOn(index.running, 'get');
    expect(countRunning(index, new Set(), at)).toEqual({ running: 1_800, unknown: 200 });
    // 2,000 domUs: a check walking them all asked the index's every group
    expect([walk.mock.calls.length, get.mock.calls.length]).toEqual([0, 0]);
  });
});
