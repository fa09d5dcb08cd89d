import { describe, expect, it } from 'vitest';
import { MISMATCH_LOG_AFTER_MS as W, standingMismatches, type MismatchSeen } from '../../../agent/core/ledger-mismatches.js';
import type { LedgerMismatch, ListedDomain } from '../../../agent/state/ledger.js';

// Which ledger mismatches are logged: only those that stood the wait outside any migration. Pure.

const T0 = 1_000_000;
const unrecorded: LedgerMismatch = { kind: 'unrecorded-guest', domu: 'web1', detail: 'web1 runs here, is not homed here and the ledger has no record of it' };
const notHere: LedgerMismatch = { kind: 'visitor-not-here', domu: 'db1', detail: 'the ledger says db1 (home xen1) runs here, but xl list does not show it' };
const row = (name: string): ListedDomain => ({ name, baseName: name.replace(/--(incoming|migratedaway)$/, ''), migration: name.endsWith('--incoming') ? 'incoming' : name.endsWith('--migratedaway') ? 'migratedaway' : null });
const none = new Map<string, MismatchSeen>();
const idle = (): boolean => false;

describe('standing ledger mismatches', () => {
  it('each is logged once, when it has stood the wait', () => {
    const first = standingMismatches({ seen: none, mismatches: [unrecorded, notHere], rows: [row('web1')], busy: idle, now: T0 });
    expect([first.toLog, first.dueInMs]).toEqual([[], W]);
    const later = standingMismatches({ seen: first.seen, mismatches: [notHere], rows: [row('web1')], busy: idle, now: T0 + 10_000 });
    expect([later.toLog, later.dueInMs, [...later.seen.keys()]]).toEqual([[], W - 10_000, ['visitor-not-here:db1']]);
    const due = standingMismatches({ seen: later.seen, mismatches: [notHere, unrecorded], rows: [row('web1')], busy: idle, now: T0 + W });
    // web1's clock started over: it was not seen at T0 + 10 s
    expect([due.toLog, due.dueInMs]).toEqual([[notHere], W]);
    const again = standingMismatches({ seen: due.seen, mismatches: [notHere, unrecorded], rows: [row('web1')], busy: idle, now: T0 + 5 * W });
    expect(again.toLog).toEqual([unrecorded]);
    expect(standingMismatches({ seen: again.seen, mismatches: [notHere, unrecorded], rows: [row('web1')], busy: idle, now: T0 + 9 * W })).toMatchObject({ toLog: [], dueInMs: null });
  });

  it('a domU held by this agent, or with a migration row here, starts no clock', () => {
    const incoming = standingMismatches({ seen: none, mismatches: [unrecorded], rows: [row('web1--incoming')], busy: idle, now: T0 });
    const held = standingMismatches({ seen: new Map([['unrecorded-guest:web1', { since: T0 - 2 * W, logged: false }]]), mismatches: [unrecorded], rows: [row('web1')], busy: (n) => n === 'web1', now: T0 });
    expect([incoming.seen.size, incoming.dueInMs, held.seen.size, held.toLog]).toEqual([0, null, 0, []]);
  });
});
