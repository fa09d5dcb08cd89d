import { describe, expect, it } from 'vitest';
import { homeAgain, HOME_AGAIN_GRACE_MS, type HomeAgainSeen } from '../../../agent/core/home-again.js';
import type { AwayRecord } from '../../../agent/state/ledger.js';
import type { InventoryDomain } from '../../../shared/inventory.js';

// An away record's domU running at home again ends its record only after the grace, so that the
// status of the Dom0 that sent it home (which ends the record itself) comes first. Pure.

const T0 = Date.UTC(2025, 0, 1);
const G = HOME_AGAIN_GRACE_MS;
const row = (name: string, domid = 7): InventoryDomain => ({
  name,
  baseName: name.replace(/--(incoming|migratedaway)$/, ''),
  domid,
  state: 'running',
  stateLetters: 'r-----',
  shutdownReason: null,
  cpuTimeS: 1,
  memMiB: 1024,
  vcpus: 1,
  migration: name.endsWith('--incoming') ? 'incoming' : name.endsWith('--migratedaway') ? 'migratedaway' : null,
});
const rec: AwayRecord = { home: 'xen1', currentHost: 'xen2', since: '2025-01-01T00:00:00.000Z', operationId: 'op-1', reason: 'manual' };
const away = { web1: rec, db1: { ...rec, currentHost: 'xen3' } };
const none = new Map<string, HomeAgainSeen>();
const idle = (): boolean => false;

describe('an away record whose domU runs at home again', () => {
  it('is tracked from first sight and comes due after the grace, not before', () => {
    const first = homeAgain({ seen: none, away, rows: [row('web1'), row('other', 3)], busy: idle, now: T0 });
    expect([first.due, first.dueInMs, [...first.seen]]).toEqual([[], G, [['web1', { domid: 7, since: T0 }]]]);
    const early = homeAgain({ seen: first.seen, away, rows: [row('web1')], busy: idle, now: T0 + G - 1 });
    expect([early.due, early.dueInMs]).toEqual([[], 1]);
    const due = homeAgain({ seen: early.seen, away, rows: [row('web1')], busy: idle, now: T0 + G });
    expect([due.due, due.dueInMs, due.seen.size]).toEqual([['web1'], null, 0]);
  });

  it('starts over for another domid (it left and came back again) and forgets a domU gone or held', () => {
    const first = homeAgain({ seen: none, away, rows: [row('web1'), row('db1', 9)], busy: idle, now: T0 });
    const again = homeAgain({ seen: first.seen, away, rows: [row('web1', 12), row('db1', 9)], busy: idle, now: T0 + G - 10 });
    expect([again.due, again.seen.get('web1'), again.dueInMs]).toEqual([[], { domid: 12, since: T0 + G - 10 }, 10]);
    const held = homeAgain({ seen: again.seen, away, rows: [row('web1', 12)], busy: (n) => n === 'web1', now: T0 + G });
    expect([held.due, held.seen.size, held.dueInMs]).toEqual([[], 0, null]);
    const after = homeAgain({ seen: held.seen, away, rows: [row('web1', 12)], busy: idle, now: T0 + 2 * G });
    expect([after.due, after.dueInMs]).toEqual([[], G]);
  });

  it('waits for a row under the plain name: a migration row is not home yet, and no record means nothing to end', () => {
    const v = homeAgain({ seen: none, away, rows: [row('web1--incoming'), row('db1--migratedaway')], busy: idle, now: T0 });
    expect([v.due, v.seen.size, v.dueInMs]).toEqual([[], 0, null]);
    const gone = homeAgain({ seen: new Map([['web1', { domid: 7, since: T0 - 2 * G }]]), away: {}, rows: [row('web1')], busy: idle, now: T0 });
    expect([gone.due, gone.seen.size]).toEqual([[], 0]);
  });
});
