import { describe, expect, it } from 'vitest';
import { fleetCounts } from '../../../controller/fleet/fleet-counts.js';
import { mergeFleet, mergedStatus } from '../../../controller/fleet/merge.js';
import { placementOf } from '../../../controller/fleet/placement.js';
import type { HostRecord } from '../../../controller/fleet/host-record.js';
import { dom, hostState, record } from '../states.js';

// A migrate xen1 → xen2 whose target lost power mid-copy: xen2's last report holds web1--incoming,
// xen1 (the source) resumed and reports web1 plainly. The half is xen2's last word, not a move.
const NOW = 1_000_000;
const fresh = { now: NOW, staleAfterMs: 15_000 };
const xen1 = (lastSeen = NOW - 500, migration: 'migratedaway' | null = null): HostRecord =>
  record('xen1', hostState({ domains: [dom('web1', { state: 'running', migration })] }), lastSeen, lastSeen >= NOW - 15_000);
const xen2 = (lastSeen: number, linkUp = false): HostRecord => record('xen2', hostState({ domains: [dom('web1', { migration: 'incoming', state: 'paused' })] }), lastSeen, linkUp);

const view = (records: HostRecord[]) => {
  const m = mergeFleet(records, fresh);
  const w = placementOf(m.index, 'web1', fresh, () => []);
  return { midMigration: w?.midMigration, age: w?.ageMs, status: mergedStatus(m, fresh).summary.midMigration, counted: fleetCounts(m.index, [], fresh).domusMigrating };
};

describe("a silent target's receiving half beside its source's plain row", () => {
  it('the source heard since the target fell silent: no move under way in where, status or the metrics; the answer is as old as the source', () => {
    expect(view([xen1(), xen2(NOW - 40_000)])).toEqual({ midMigration: false, age: 500, status: 0, counted: 0 });
  });

  it('still a move while the target is heard, while the source shows its sender half, or while the source is silent too', () => {
    const moving = { midMigration: true, status: 1, counted: 1 };
    expect(view([xen1(), xen2(NOW - 1_000, true)])).toMatchObject(moving);
    expect(view([xen1(NOW - 500, 'migratedaway'), xen2(NOW - 40_000)])).toMatchObject(moving);
    expect(view([xen1(NOW - 30_000), xen2(NOW - 40_000)])).toMatchObject(moving);
  });
});
