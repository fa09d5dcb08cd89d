import { describe, expect, it } from 'vitest';
import { ALERT_GRACE_MS, emptyAlertBook, reconcileAlerts, type AlertBook } from '../../../controller/fleet/alert-book.js';
import type { Finding } from '../../../controller/fleet/finding.js';

const twice: Finding = { id: 'running-on-two-hosts:web1', kind: 'running-on-two-hosts', subject: 'web1', hosts: ['xen1', 'xen2'], message: 'web1 runs on xen1 and xen2' };
const unrecorded: Finding = { id: 'away-unrecorded:db1', kind: 'away-unrecorded', subject: 'db1', hosts: ['xen1', 'xen2'], message: 'db1 runs on xen2' };
const GRACE = ALERT_GRACE_MS['away-unrecorded'];

/** The book after looking at FINDINGS at each time in turn, and every alert raised or cleared on the way. */
function looks(steps: readonly (readonly [number, readonly Finding[]])[]): { book: AlertBook; raised: string[]; cleared: string[] } {
  let book = emptyAlertBook();
  const raised: string[] = [];
  const cleared: string[] = [];
  for (const [t, findings] of steps) {
    const c = reconcileAlerts(book, findings, t);
    raised.push(...c.raised.map((a) => `${a.id}@${a.since}`));
    cleared.push(...c.cleared.map((a) => a.id));
    book = { current: c.current, pending: c.pending };
  }
  return { book, raised, cleared };
}

describe('the alert book', () => {
  it('a split brain is an alert the first time it is seen, and keeps that time while it lasts', () => {
    const r = looks([
      [1_000, [twice]],
      [2_000, [{ ...twice, message: 'web1 runs on xen1 and xen2 (unreachable, last heard 20 s ago)' }]],
    ]);
    expect(r.raised).toEqual(['running-on-two-hosts:web1@1000']);
    expect(r.book.current.get(twice.id)).toMatchObject({ since: 1_000, message: 'web1 runs on xen1 and xen2 (unreachable, last heard 20 s ago)' });
  });

  it('a migration whose ending a ledger records as unknown is an alert at once (no migration in progress looks like it)', () => {
    expect(ALERT_GRACE_MS['migration-unsettled']).toBe(0);
    const u: Finding = { id: 'migration-unsettled:web1@xen1', kind: 'migration-unsettled', subject: 'web1@xen1', hosts: ['xen1', 'xen2'], message: 'web1: the migrate xen1 ran with xen2 ended in an ALARM' };
    const r = looks([[5_000, [u]]]);
    expect(r.raised).toEqual(['migration-unsettled:web1@xen1@5000']);
    expect(r.book.pending.size).toBe(0);
  });

  it('a domU away unrecorded waits out its grace (every migration looks like that for a second), then is raised as seen since the first look', () => {
    expect(GRACE).toBeGreaterThan(5_000);
    const early = looks([
      [0, [unrecorded]],
      [GRACE - 1, [unrecorded]],
    ]);
    expect(early.raised).toEqual([]);
    expect(early.book.current.size).toBe(0);
    expect(early.book.pending.get(unrecorded.id)).toBe(0);
    const due = looks([
      [0, [unrecorded]],
      [GRACE - 1, [unrecorded]],
      [GRACE, [unrecorded]],
    ]);
    expect(due.raised).toEqual(['away-unrecorded:db1@0']);
  });

  it('a ledger saying away at a host that does not run it waits out a grace too: a reverse lands before the home ends its away record', () => {
    const notThere: Finding = { id: 'ledger-away-not-there:web1', kind: 'ledger-away-not-there', subject: 'web1', hosts: ['xen1', 'xen2'], message: 'the ledger of xen1 says web1 is on xen2, but xen2 does not run it; it runs on xen1' };
    const grace = ALERT_GRACE_MS['ledger-away-not-there'];
    expect(grace).toBeGreaterThan(5_000);
    // seen for 300 ms while the reverse settles, as on the playground: nothing raised
    expect(looks([[0, [notThere]], [300, []]]).raised).toEqual([]);
    expect(looks([[0, [notThere]], [grace, [notThere]]]).raised).toEqual(['ledger-away-not-there:web1@0']);
  });

  it('a look without it starts its grace over; once raised, it is cleared like any other', () => {
    const broken = looks([
      [0, [unrecorded]],
      [GRACE / 2, []],
      [GRACE, [unrecorded]],
      [GRACE + GRACE / 2, [unrecorded]],
    ]);
    expect(broken.raised).toEqual([]);
    expect(broken.book.pending.get(unrecorded.id)).toBe(GRACE);
    const ended = looks([
      [0, [unrecorded, twice]],
      [GRACE, [unrecorded, twice]],
      [GRACE + 1, [twice]],
    ]);
    expect(ended.cleared).toEqual(['away-unrecorded:db1']);
    expect([...ended.book.current.keys()]).toEqual([twice.id]);
    expect(ended.book.pending.size).toBe(0);
  });
});
