import { describe, expect, it } from 'vitest';
import type { HostRecord } from '../../../controller/fleet/host-record.js';
import { fleetCounts } from '../../../controller/fleet/fleet-counts.js';
import { mergeFleet, mergedStatus } from '../../../controller/fleet/merge.js';
import { placementOf } from '../../../controller/fleet/placement.js';
import { whereColumns } from '../../../controller/ctl/where-line.js';
import { dom, hostState, record, unsettled } from '../states.js';

// A migrate xen2 → xen3 of db1 lost its final handshake: xen2's ledger keeps it as unsettled, and
// both halves stand frozen (db1--migratedaway suspended on xen2, db1--incoming paused on xen3)
// until a person keeps one and runs `xenherd-agent reconcile db1` on xen2. No move is under way.
const NOW = Date.UTC(2024, 4, 1, 14, 10);
const fresh = { now: NOW, staleAfterMs: 15_000 };
const SINCE = '2024-05-01T14:02:00.000Z';

const fleet = (withRecord = true, xen3Rows = [dom('db1', { migration: 'incoming', state: 'paused' })]): HostRecord[] => [
  {
    ...record('xen2', hostState({ domains: [dom('db1', { migration: 'migratedaway', state: 'shutdown' })], ledger: { seq: 4, away: {}, visitors: {}, ...(withRecord ? { unsettled: { db1: unsettled('xen3', { since: SINCE, operationId: 'op-9' }) } } : {}) } }), NOW - 400),
    halvesSince: { 'db1--migratedaway': { domid: 1, since: NOW - 480_000 } },
  },
  { ...record('xen3', hostState({ domains: xen3Rows }), NOW - 700), incomingSince: { 'db1--incoming': { domid: 1, since: NOW - 490_000 } } },
];

const look = (records: HostRecord[]) => {
  const m = mergeFleet(records, fresh);
  const w = placementOf(m.index, 'db1', fresh, () => []);
  if (w === null) throw new Error('db1 unknown');
  return { w, summary: mergedStatus(m, fresh).summary, metricsMigrating: fleetCounts(m.index, [], fresh).domusMigrating };
};

describe('the halves of a migration a ledger keeps as unsettled', () => {
  it('are no move under way, and nothing of db1 runs: where carries the record and how long each half has stood, status counts it unsettled, not running nor migrating, as the metrics do', () => {
    const { w, summary, metricsMigrating } = look(fleet());
    expect(w.midMigration).toBe(false);
    expect(w.unsettled).toEqual([{ host: 'xen2', peer: 'xen3', since: SINCE, operationId: 'op-9', operation: 'migrate' }]);
    expect(w.places.map((p) => [p.host, p.domain.name, p.stoodMs])).toEqual([
      ['xen2', 'db1--migratedaway', 480_000],
      ['xen3', 'db1--incoming', 490_000],
    ]);
    expect(summary).toMatchObject({ domus: 0, domusUnreachable: 0, midMigration: 0, unsettled: 1 });
    expect(metricsMigrating).toBe(0);
  });

  it('where says the ALARM, the halves frozen and their ages, and the command that settles it, not "migrating"', () => {
    const cols = whereColumns(look(fleet()).w, NOW);
    expect(cols[1]).toBe('xen2,xen3');
    expect(cols[2]).toMatch(
      /^ALARM unsettled: the migrate xen2 ran with xen3 at (\d{4}-\d\d-\d\d )?\d\d:\d\d ended unknown; db1--migratedaway suspended on xen2 for 8 min; db1--incoming paused on xen3 for 8 min; check both hosts, then xenherd-agent reconcile db1 on xen2$/,
    );
  });

  it('once a person kept the target (renamed and unpaused there) and before reconcile: running, the ALARM still said', () => {
    const kept = fleet(true, [dom('db1', { state: 'running' })]);
    kept[0] = { ...record('xen2', hostState({ ledger: { seq: 5, away: {}, visitors: {}, unsettled: { db1: unsettled('xen3', { since: SINCE }) } } }), NOW - 400) };
    const { w, summary, metricsMigrating } = look(kept);
    expect(whereColumns(w, NOW)[2]).toMatch(/^running, ALARM unsettled: the migrate xen2 ran with xen3 at .* ended unknown; check both hosts, then xenherd-agent reconcile db1 on xen2$/);
    expect(summary).toMatchObject({ domus: 1, midMigration: 0, unsettled: 1 });
    expect(metricsMigrating).toBe(0);
  });

  it("once a person kept the target while the sender's half still stands: the kept copy runs, no move under way", () => {
    const kept = fleet(true, [dom('db1', { state: 'running' })]);
    const { summary, metricsMigrating } = look(kept);
    expect(summary).toMatchObject({ domus: 1, midMigration: 0, unsettled: 1 });
    expect(metricsMigrating).toBe(0);
  });

  it('without the record the same halves are a move under way, as before', () => {
    const { w, summary, metricsMigrating } = look(fleet(false));
    expect(w.midMigration).toBe(true);
    expect(w.unsettled).toBeUndefined();
    expect(whereColumns(w, NOW)[2]).toBe('migrating from xen2 to xen3');
    expect(summary).toMatchObject({ domus: 1, midMigration: 1, unsettled: 0 });
    // one migration, its two halves on two Dom0s: one domU migrating
    expect(metricsMigrating).toBe(1);
  });
});
