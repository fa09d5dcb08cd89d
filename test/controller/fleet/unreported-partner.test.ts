import { describe, expect, it } from 'vitest';
import { emptyAlertBook, reconcileAlerts } from '../../../controller/fleet/alert-book.js';
import type { HostRecord } from '../../../controller/fleet/host-record.js';
import { mergeFleet } from '../../../controller/fleet/merge.js';
import { partnerUnreported, PROMOTION_FIRST_SETTLE_MS } from '../../../controller/fleet/move-promotion.js';
import { dom, guarded, hostState, primary, record } from '../states.js';

// A controller restarted while ci1 migrates from xen5 to xen1: xen5 reports first, r3 Primary with
// its peer xen1 Primary too; xen1's report with ci1--incoming has not come. That dual Primary, seen
// from one side only, waits for xen1's report before it is a split brain (move-promotion.ts).
const T0 = 1_700_000_000_000;
const config = { name: 'ci1', source: 'guarded' as const, memMiB: 512, vcpus: 1, resources: [{ name: 'r3', hosts: ['xen1', 'xen5'] }] };
const drbd = (...resources: ReturnType<typeof primary>[]) => ({ availability: 'ok' as const, resources });
const xen5 = (at: number): HostRecord => record('xen5', hostState({ domains: [dom('ci1')], guarded: [guarded('ci1', ['r3'])], domus: [config], drbd: drbd(primary('r3', 'xen1', 'Primary', 'Primary')) }), at);
/** enrolled, not heard from since the controller started */
const unheardXen1: HostRecord = { ...record('xen1', null), lastSeen: null, linkUp: false };
const xen1 = (at: number, domains = [dom('ci1', { migration: 'incoming' })]): HostRecord =>
  record('xen1', hostState({ domains, guarded: [guarded('ci1', ['r3'])], domus: [config], drbd: drbd(primary('r3', 'xen5', 'Primary', 'Primary')) }), at);

/** The alerts raised over looks at T0 + each offset, with the records each look sees. */
function raisedOver(looks: readonly (readonly [number, readonly HostRecord[]])[]): [number, string[]][] {
  let book = emptyAlertBook();
  return looks.map(([offset, records]) => {
    const now = T0 + offset;
    const c = reconcileAlerts(book, mergeFleet(records, { now, staleAfterMs: 15_000 }).findings, now);
    book = c;
    return [offset, c.raised.map((a) => a.id)];
  });
}

describe('a dual Primary seen only from one side while the partner Dom0 has not reported since the controller started', () => {
  it('partnerUnreported: no record, or one with no state, is unreported; any report is one', () => {
    const index = mergeFleet([unheardXen1, xen5(T0)], { now: T0, staleAfterMs: 15_000 }).index;
    expect([partnerUnreported(index, 'xen1'), partnerUnreported(index, 'xen9'), partnerUnreported(index, 'xen5')]).toEqual([true, true, false]);
  });

  it('the partner reports the incoming half a second later: no alert at all', () => {
    expect(raisedOver([[0, [xen5(T0), unheardXen1]], [1_000, [xen5(T0 + 1_000), xen1(T0 + 1_000)]], [10_000, [xen5(T0 + 10_000), xen1(T0 + 10_000)]]])).toEqual([
      [0, []],
      [1_000, []],
      [10_000, []],
    ]);
  });

  it('the partner stays unheard: the split brain is raised once it stood the settle, not at once', () => {
    const looks = [0, 1_000, PROMOTION_FIRST_SETTLE_MS - 1, PROMOTION_FIRST_SETTLE_MS].map((t) => [t, [xen5(T0 + t), unheardXen1]] as const);
    expect(raisedOver(looks)).toEqual([
      [0, []],
      [1_000, []],
      [PROMOTION_FIRST_SETTLE_MS - 1, []],
      [PROMOTION_FIRST_SETTLE_MS, ['drbd-primary-on-both:r3@xen1+xen5']],
    ]);
  });

  it('the partner reports Primary with no half of ci1: still a split brain, raised by the settle counted from the first look', () => {
    const later = (t: number) => [t, [xen5(T0 + t), xen1(T0 + t, [])]] as const;
    expect(raisedOver([[0, [xen5(T0), unheardXen1]], later(1_000), later(PROMOTION_FIRST_SETTLE_MS)])).toEqual([
      [0, []],
      [1_000, []],
      [PROMOTION_FIRST_SETTLE_MS, ['drbd-primary-on-both:r3@xen1+xen5']],
    ]);
  });

  it('a partner that has reported, without the resource (an agent older than standby reports), and ci1 running nowhere: raised at once, as before', () => {
    const quiet = record('xen1', hostState({ guarded: [guarded('ci1', ['r3'])], domus: [config] }), T0);
    const idle = record('xen5', hostState({ guarded: [guarded('ci1', ['r3'])], domus: [config], drbd: drbd(primary('r3', 'xen1', 'Primary', 'Primary')) }), T0);
    expect(raisedOver([[0, [idle, quiet]]])).toEqual([[0, ['drbd-primary-on-both:r3@xen1+xen5']]]);
    // the same with xen1 unheard waits for its report
    expect(raisedOver([[0, [idle, unheardXen1]]])).toEqual([[0, []]]);
  });
});
