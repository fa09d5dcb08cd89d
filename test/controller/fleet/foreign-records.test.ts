import { describe, expect, it } from 'vitest';
import type { HostRecord } from '../../../controller/fleet/host-record.js';
import { noteIncoming } from '../../../controller/fleet/incoming-since.js';
import { INCOMING_STRANDED_MS } from '../../../controller/fleet/incoming-halves.js';
import { mergeFleet } from '../../../controller/fleet/merge.js';
import { whereMatches } from '../../../controller/fleet/views.js';
import { whereColumns } from '../../../controller/ctl/where-line.js';
import { compilePattern } from '../../../shared/name-pattern.js';
import { away, dom, guarded, hostState, record } from '../states.js';

const NOW = 10_000_000;
const fresh = { now: NOW, staleAfterMs: 15_000 };
const kinds = (records: HostRecord[]) => mergeFleet(records, fresh).findings.map((f) => [f.kind, f.subject, f.hosts]);
const where = (records: HostRecord[], name: string) => {
  const p = compilePattern(name);
  if (!p.ok) throw new Error(p.error);
  return whereMatches(mergeFleet(records, fresh).index, p.value, fresh, () => [])[0];
};

/** mail1, home xen3, runs on xen2; no ledger of xen3 or xen2 records it; xen1 holds ROGUE as its ledger */
const mailAway = (rogue: ReturnType<typeof hostState>['ledger']): HostRecord[] => [
  record('xen1', hostState({ ledger: rogue }), NOW),
  record('xen2', hostState({ domains: [dom('mail1')] }), NOW),
  record('xen3', hostState({ homes: [{ name: 'mail1', peer: 'xen2', source: 'migrate-tab' }] }), NOW),
];
const rogueAway = { seq: 1, away: { mail1: away('xen3', 'xen2', { since: '2024-05-01T14:30:00.000Z', reason: 'drain' }) }, visitors: {} };

describe("another host's ledger speaks not for a domU's home", () => {
  it('an away record in the ledger of a host that is not its home does not silence away-unrecorded', () => {
    expect(kinds(mailAway({ seq: 1, away: {}, visitors: {} }))).toEqual([['away-unrecorded', 'mail1', ['xen2', 'xen3']]]);
    expect(kinds(mailAway(rogueAway))).toEqual([['away-unrecorded', 'mail1', ['xen2', 'xen3']]]);
  });

  it("where shows no away record but the home's", () => {
    const m = where(mailAway(rogueAway), 'mail1');
    expect(m?.home).toBe('xen3');
    expect(m?.away).toBeNull();
    // the home's own record is shown as before
    const homeSays = mailAway({ seq: 1, away: {}, visitors: {} });
    homeSays[2] = record('xen3', hostState({ homes: [{ name: 'mail1', peer: 'xen2', source: 'migrate-tab' }], ledger: { seq: 2, away: { mail1: away('xen3', 'xen2') }, visitors: {} } }), NOW);
    expect(where(homeSays, 'mail1')?.away).toMatchObject({ home: 'xen3', currentHost: 'xen2' });
  });
});

describe('a domU only guarded somewhere is as fresh as the host guarding it', () => {
  it('not stale while that host reports', () => {
    const m = where([record('xen1', hostState({ guarded: [guarded('ghost1')] }), NOW - 2_000)], 'ghost1');
    expect(m).toMatchObject({ places: [], home: null, reachable: true, ageMs: 2_000 });
    if (!m) throw new Error('no match');
    expect(whereColumns(m, NOW).join('  ')).not.toMatch(/never|STALE/);
  });

  it('stale when that host went silent', () => {
    const m = where([record('xen1', hostState({ guarded: [guarded('ghost1')] }), NOW - 60_000)], 'ghost1');
    expect(m).toMatchObject({ reachable: false, ageMs: 60_000 });
  });
});

describe('a receiving half (NAME--incoming) that no migration explains', () => {
  /** xen1 reports mail1--incoming, seen since NOW - forMs; mail1 (home xen3) runs on xen2 */
  const rogueIncoming = (forMs: number, xen2Rows = [dom('mail1')]): HostRecord[] => [
    { ...record('xen1', hostState({ domains: [dom('mail1', { migration: 'incoming', state: 'paused' })] }), NOW), incomingSince: { 'mail1--incoming': { domid: 5, since: NOW - forMs } } },
    record('xen2', hostState({ domains: xen2Rows, ledger: { seq: 1, away: {}, visitors: { mail1: { home: 'xen3', since: '2024-05-01T14:02:00.000Z', operationId: 'op-1' } } } }), NOW),
    record('xen3', hostState({ homes: [{ name: 'mail1', peer: 'xen2', source: 'migrate-tab' }], ledger: { seq: 1, away: { mail1: away('xen3', 'xen2') }, visitors: {} } }), NOW),
  ];

  it('standing longer than any migration takes: an alert naming the host holding it and where the domU runs', () => {
    const m = mergeFleet(rogueIncoming(INCOMING_STRANDED_MS + 60_000), fresh);
    expect(m.findings.map((f) => [f.kind, f.subject, f.hosts])).toEqual([['migration-stranded', 'mail1@xen1', ['xen1', 'xen2']]]);
    expect(m.findings[0]?.message).toMatch(/^mail1--incoming \(a receiving half\) has stood on xen1 for 36 min, longer than any migration takes, and no host reports the sender's half: no migration into xen1 explains it; mail1 runs on xen2\. /);
  });

  it('not while a migration may still run (a long copy), nor when the sender still shows its half (migration-stranded names both)', () => {
    expect(kinds(rogueIncoming(INCOMING_STRANDED_MS))).toEqual([]);
    expect(kinds(rogueIncoming(INCOMING_STRANDED_MS + 60_000, [dom('mail1', { migration: 'migratedaway' })]))).toEqual([]);
  });

  it("the controller's clock on each receiving half: from when it first shows, kept while it stands, gone with it", () => {
    const withRows = (r: HostRecord, domains: ReturnType<typeof dom>[]): HostRecord => ({ ...r, state: hostState({ domains }) });
    const half = dom('mail1', { migration: 'incoming', domid: 5 });
    let r = noteIncoming(withRows(record('xen1', null), [dom('a'), half]), 1_000);
    expect(r.incomingSince).toEqual({ 'mail1--incoming': { domid: 5, since: 1_000 } });
    const same = withRows(r, [half]);
    expect(noteIncoming(same, 9_000)).toBe(same);
    r = noteIncoming(withRows(r, [dom('a')]), 10_000);
    expect(r).not.toHaveProperty('incomingSince');
  });
});
