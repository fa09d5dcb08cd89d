// The metrics' domUs by state start from the plain rows the index counts as rows come, change and
// go (FleetIndex.plainRowsByState), and only the domUs on two hosts or more, or with a migration's
// half, are asked anything at a scrape. Random fleets, then random reports (random-fleet.ts) with
// time passing on the injected clock: after each, the counts must be those of the walk over every
// row of the fleet that each scrape made before.
import * as fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { fleetCounts } from '../../../controller/fleet/fleet-counts.js';
import { FleetIndex } from '../../../controller/fleet/fleet-index.js';
import type { Freshness, HostRecord } from '../../../controller/fleet/host-record.js';
import { incomingOvertaken, supersededOn } from '../../../controller/fleet/superseded.js';
import { LinkDomainSchema } from '../../../shared/protocol/agent-link-state.js';
import { FUZZ_SEED } from '../../fuzz/fuzz-kit.js';
import { deterministicClock } from '../../sim/daemon/clock.js';
import { dom, hostState, record } from '../states.js';
import { fleetRecordsArb, indexOf, NOW, timedReportArb, walkReportsOverTime } from './random-fleet.js';

/** The counts the long way: every row of the fleet, a silent host's overtaken report left out. */
function countsTheLongWay(index: FleetIndex, fresh: Freshness): { domusByState: Map<string, number>; domusMigrating: number } {
  const domusByState = new Map<string, number>(LinkDomainSchema.shape.state.options.map((s) => [s, 0]));
  let domusMigrating = 0;
  for (const [name, byHost] of index.running.entries()) {
    let migrating = false;
    for (const [host, rows] of byHost) {
      if (byHost.size > 1 && supersededOn(index, name, host, fresh)) continue;
      for (const d of rows) {
        if (d.migration !== null) migrating ||= !incomingOvertaken(index, name, host, fresh);
        else domusByState.set(d.state, (domusByState.get(d.state) ?? 0) + 1);
      }
    }
    if (migrating && index.unsettled.get(name) === undefined) domusMigrating++;
  }
  return { domusByState, domusMigrating };
}

describe('the metrics\' domUs by state and migrating, kept', () => {
  it('are what the walk over every row finds, after random reports, silences and time passing', async () => {
    let counted = 0;
    await fc.assert(
      fc.asyncProperty(fleetRecordsArb, fc.array(timedReportArb, { minLength: 1, maxLength: 8 }), async (records, steps) => {
        const clock = deterministicClock(NOW);
        const held = [...records];
        const index = indexOf(held);
        const counts = (): void => {
          const fresh: Freshness = { now: clock.now(), staleAfterMs: 15_000 };
          const kept = fleetCounts(index, [], fresh);
          const long = countsTheLongWay(index, fresh);
          expect({ byState: [...kept.domusByState], migrating: kept.domusMigrating }).toEqual({ byState: [...long.domusByState], migrating: long.domusMigrating });
          counted += [...long.domusByState.values()].reduce((a, n) => a + n, 0) + long.domusMigrating;
        };
        await walkReportsOverTime(index, held, clock, steps, counts);
      }),
      { seed: FUZZ_SEED, numRuns: 100 },
    );
    expect(counted).toBeGreaterThan(1_000);
  });

  it('walks no row of a fleet of single copies at a scrape', () => {
    const index = new FleetIndex();
    const records: HostRecord[] = [];
    for (let h = 0; h < 200; h++) {
      const r = record(`xen${h}`, hostState({ domains: Array.from({ length: 10 }, (_, i) => dom(`vm${h}-${i}`, { state: i === 0 ? 'paused' : 'blocked' })) }), NOW);
      records.push(r);
      index.put(r);
    }
    const at: Freshness = { now: NOW, staleAfterMs: 15_000 };
    const walk = vi.spyOn(index.running, 'entries');
    const counts = fleetCounts(index, [], at);
    expect([counts.domusByState.get('blocked'), counts.domusByState.get('paused'), counts.domusMigrating]).toEqual([1_800, 200, 0]);
    // 2,000 rows: a scrape walking them all walked the index's every group
    expect(walk).not.toHaveBeenCalled();
  });
});
