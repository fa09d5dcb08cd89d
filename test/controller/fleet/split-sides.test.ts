import { describe, expect, it } from 'vitest';
import { mergeFleet } from '../../../controller/fleet/merge.js';
import { noteCopies } from '../../../controller/fleet/copy-since.js';
import { away, dom, guarded, hostState, record, unsettled } from '../states.js';

const NOW = 1_000_000;
const fresh = { now: NOW, staleAfterMs: 15_000 };
const config = { name: 'web1', source: 'config-dir' as const, memMiB: 512, vcpus: 1, resources: [{ name: 'r4', hosts: ['xen1', 'xen3'] }] };

describe("a split brain's sides, from the ledgers", () => {
  it('a side whose ledger holds a migration nobody knows the end of says so: the cut came mid-move', () => {
    const xen1 = record('xen1', hostState({ domains: [dom('web1')], homes: [{ name: 'web1', peer: 'xen3', source: 'migrate-tab' }], guarded: [guarded('web1', ['r4'])], domus: [{ ...config, source: 'guarded' }], ledger: { seq: 3, away: {}, visitors: {}, unsettled: { web1: unsettled('xen3') } } }));
    const xen3 = record('xen3', hostState({ domains: [dom('web1', { domid: 12 })], domus: [config] }));
    const m = mergeFleet([noteCopies(xen1, 900_000), noteCopies(xen3, 900_000)], fresh).findings.find((f) => f.kind === 'running-on-two-hosts');
    expect(m?.message).toContain(
      "to choose the copy to keep: xen1 (web1's home, its ledger holds the migrate it ran with xen3 (operation op-7, at 2024-05-01T14:02:00.000Z) unsettled): runs web1 since 1970-01-01 00:15 UTC or earlier; xen3: runs web1 since 1970-01-01 00:15 UTC or earlier",
    );
  });

  it("a side the home's ledger sends the domU to says since when", () => {
    const xen1 = record('xen1', hostState({ homes: [{ name: 'web1', peer: 'xen3', source: 'migrate-tab' }], guarded: [guarded('web1', ['r4'])], domus: [{ ...config, source: 'guarded' }], domains: [dom('web1')], ledger: { seq: 3, away: { web1: away('xen1', 'xen3') }, visitors: {} } }));
    const xen3 = record('xen3', hostState({ domains: [dom('web1', { domid: 12 })], domus: [config] }));
    const m = mergeFleet([xen1, xen3], fresh).findings.find((f) => f.kind === 'running-on-two-hosts');
    expect(m?.message).toContain("xen3 (where its home's ledger sends it since 2024-05-01T14:02:00.000Z): no time known");
  });
});

describe("a split brain's sides, with Xen's start time", () => {
  // xen1's copy started at 00:05 by Xen's start_time, before this controller first heard of
  // xen1 (00:15): its own "seen since" would say only 00:15 or earlier
  const sides = (xen1Clock = 0) => {
    const xen1 = { ...record('xen1', hostState({ domains: [dom('web1', { startedAt: '1970-01-01T00:05:00.000Z' })], domus: [config] })), clockAheadMs: xen1Clock };
    const xen3 = record('xen3', hostState({ domains: [dom('web1', { domid: 12 })], domus: [config] }));
    return mergeFleet([noteCopies(xen1, 900_000), noteCopies(xen3, 900_000)], fresh).findings.find((f) => f.kind === 'running-on-two-hosts')?.message;
  };

  it("says since when Xen has run the copy where its agent reports it, and the controller's own time elsewhere", () => {
    expect(sides()).toContain(`to choose the copy to keep: xen1: runs web1 since 1970-01-01 00:05 UTC (Xen's start time); xen3: runs web1 since 1970-01-01 00:15 UTC or earlier`);
  });

  it("reads Xen's start time on the controller's clock, as the agent's other times", () => {
    expect(sides(120_000)).toContain(`xen1: runs web1 since 1970-01-01 00:03 UTC (Xen's start time)`);
  });
});
