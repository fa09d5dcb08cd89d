import { describe, expect, it } from 'vitest';
import type { HostRecord } from '../../../controller/fleet/host-record.js';
import { mergeFleet, mergedStatus } from '../../../controller/fleet/merge.js';
import { away, dom, guarded, hostState, record, unsettled } from '../states.js';

// Migrations whose ending no ledger recorded, as the fleet sees them from every host's report.
const NOW = 1_000_000;
const fresh = { now: NOW, staleAfterMs: 15_000 };
const kinds = (records: Parameters<typeof mergeFleet>[0]) => mergeFleet(records, fresh).findings.map((f) => [f.kind, f.subject, f.hosts]);

describe("a sender's half left standing: a migration whose end was lost", () => {
  /** xen1 holds web01--migratedaway (domid 7), seen since NOW - forMs; xen2 holds xen2Rows */
  const stranded = (forMs: number, xen2Rows = [dom('web01')], xen1: Partial<HostRecord> = {}): HostRecord[] => [
    { ...record('xen1', hostState({ domains: [dom('web01', { migration: 'migratedaway' })] })), halvesSince: { 'web01--migratedaway': { domid: 7, since: NOW - forMs } }, ...xen1 },
    record('xen2', hostState({ domains: xen2Rows })),
  ];

  it('over a minute on a current host: an alert naming the half, its age and where the domU runs now', () => {
    const m = mergeFleet(stranded(95_000), fresh);
    expect(m.findings.map((f) => [f.kind, f.subject, f.hosts])).toEqual([['migration-stranded', 'web01', ['xen1', 'xen2']]]);
    expect(m.findings[0]?.message).toBe(
      'web01--migratedaway has stood on xen1 for 95 s: a migration of web01 from there ended without its final handshake, so no ledger records where it went, and both halves may be kept; web01 runs on xen2. Nothing is started, destroyed or recorded for you: check both hosts by hand (xenherd-agent status web01 on each)',
    );
  });

  it('with no other host running the domU, it says so and names the source alone', () => {
    const m = mergeFleet(stranded(61_000, []), fresh);
    expect(m.findings.map((f) => [f.kind, f.hosts])).toEqual([['migration-stranded', ['xen1']]]);
    expect(m.findings[0]?.message).toContain('; no other host reports web01.');
  });

  it("a receiving half elsewhere is named as that, not as the domU running there", () => {
    const m = mergeFleet(stranded(61_000, [dom('web01', { migration: 'incoming' })]), fresh);
    expect(m.findings.map((f) => [f.kind, f.hosts])).toEqual([['migration-stranded', ['xen1', 'xen2']]]);
    expect(m.findings[0]?.message).toContain('; web01--incoming (the receiving half) stands on xen2.');
  });

  it('a minute or less may be a handshake still running: no alert', () => {
    expect(kinds(stranded(60_000))).toEqual([]);
    expect(kinds(stranded(1_000, [dom('web01', { migration: 'incoming' })]))).toEqual([]);
  });

  it("nor from an xm host: xend shows its sender's half (migrating-NAME) for the whole send and names it back itself on a failure", () => {
    const xm = (r: HostRecord): HostRecord => (r.state === null ? r : { ...r, state: { ...r.state, toolstack: 'xm' } });
    const [xen1, xen2] = stranded(600_000) as [HostRecord, HostRecord];
    expect(kinds([xm(xen1), xen2])).toEqual([]);
  });

  it('nor from a host whose view is not current (silent, or its agent says its xl list is behind)', () => {
    expect(kinds(stranded(95_000, [dom('web01')], { linkUp: false }))).toEqual([]);
    expect(kinds(stranded(95_000, [dom('web01')], { lastSeen: NOW - 16_000 }))).toEqual([]);
    expect(kinds(stranded(95_000, [dom('web01')], { viewLag: { view: 'behind', since: NOW - 3_000 } }))).toEqual([]);
  });

  it('status lists it among the alerts and counts it in the summary', () => {
    const s = mergedStatus(mergeFleet(stranded(95_000), fresh), fresh);
    expect(s.alerts.map((a) => a.id)).toEqual(['migration-stranded:web01']);
    expect(s.summary.alerts).toBe(1);
  });
});


describe('a domU away from its home that no ledger records', () => {
  const home = { name: 'web01', peer: 'xen2', source: 'migrate-tab' } as const;
  const noLedger = { seq: 0, away: {}, visitors: {} };
  /** web01 homed on xen1 (migrate-tab), running on xen2; each side's ledger as given */
  const moved = (x1Ledger = noLedger, x2Ledger = noLedger, x2: Partial<HostRecord> = {}, x1: Partial<HostRecord> = {}): HostRecord[] => [
    { ...record('xen1', hostState({ homes: [home], ledger: x1Ledger })), ...x1 },
    { ...record('xen2', hostState({ domains: [dom('web01')], ledger: x2Ledger })), ...x2 },
  ];

  it('runs on xen2, neither xen1 records it away nor xen2 as a visitor: an alert naming both and how to record it', () => {
    const m = mergeFleet(moved(), fresh);
    expect(m.findings.map((f) => [f.kind, f.subject, f.hosts])).toEqual([['away-unrecorded', 'web01', ['xen1', 'xen2']]]);
    expect(m.findings[0]?.message).toBe(
      "web01 runs on xen2, away from its home xen1, and no ledger records it there (no away record naming xen2 in its home's ledger, no visitor record on xen2): a migration whose end was lost, or a start by hand. reverse goes by the home's ledger and refuses it (restore xen1 brings it home); after checking, xenherd-agent reconcile web01 --home xen1 on xen2 records it where it is",
    );
  });

  it('not while a ledger keeps the migration as unsettled: that alert says what happened and the way out', () => {
    const alarm = { seq: 1, away: {}, visitors: {}, unsettled: { web01: unsettled('xen2') } };
    expect(kinds(moved(alarm))).toEqual([['migration-unsettled', 'web01@xen1', ['xen1', 'xen2']]]);
  });

  it('either record is enough: its home says away at xen2, or xen2 has it as a visitor', () => {
    expect(kinds(moved({ seq: 1, away: { web01: away('xen1', 'xen2') }, visitors: {} }))).toEqual([]);
    expect(kinds(moved(noLedger, { seq: 1, away: {}, visitors: { web01: { home: 'xen1', since: '2024-05-01T14:02:00.000Z', operationId: 'op-1' } } }))).toEqual([]);
  });

  it("an away record naming another host is no record of xen2 (and the ledger's own conflict is raised beside it)", () => {
    const elsewhere = [...moved({ seq: 1, away: { web01: away('xen1', 'xen3') }, visitors: {} }), record('xen3', hostState())];
    expect(kinds(elsewhere)).toEqual([
      ['away-unrecorded', 'web01', ['xen1', 'xen2']],
      ['ledger-away-not-there', 'web01', ['xen1', 'xen3']],
    ]);
  });

  it('not claimed while the host running it re-reads its xl list, or a home is unreachable (its ledger may say more by now)', () => {
    expect(kinds(moved(noLedger, noLedger, { viewLag: { view: 'behind', since: NOW - 3_000 } }))).toEqual([]);
    expect(kinds(moved(noLedger, noLedger, {}, { linkUp: false }))).toEqual([]);
    expect(kinds(moved(noLedger, noLedger, {}, { lastSeen: NOW - 16_000 }))).toEqual([]);
  });

  it('a silent host running it still counts, its last report with its age: the domU may still run there', () => {
    const m = mergeFleet(moved(noLedger, noLedger, { lastSeen: NOW - 40_000 }), fresh);
    expect(m.findings.map((f) => [f.kind, f.hosts])).toEqual([['away-unrecorded', ['xen1', 'xen2']]]);
    expect(m.findings[0]?.message).toMatch(/^web01 runs on xen2 \(unreachable, last heard 40 s ago\), away from its home xen1, /);
  });

  it('not during a migration (NAME--incoming / NAME--migratedaway rows), nor on the partner of a DRBD pair that both guard it', () => {
    const migrating = [record('xen1', hostState({ homes: [home], domains: [dom('web01', { migration: 'migratedaway' })] })), record('xen2', hostState({ domains: [dom('web01', { migration: 'incoming' })] }))];
    expect(kinds(migrating)).toEqual([]);
    const pair = [
      record('xen1', hostState({ homes: [{ name: 'web01', peer: 'xen2', source: 'guarded' }], guarded: [guarded('web01')] })),
      record('xen2', hostState({ homes: [{ name: 'web01', peer: 'xen1', source: 'guarded' }], guarded: [guarded('web01')], domains: [dom('web01')] })),
    ];
    expect(kinds(pair)).toEqual([]);
  });

  it("on the partner of a pair that both guard it, when the home's migrate-tab names it: a start by hand there is this alert", () => {
    const tabAndGuarded = [
      record('xen1', hostState({ homes: [{ name: 'web01', peer: 'xen2', source: 'migrate-tab' }], guarded: [guarded('web01')] })),
      record('xen2', hostState({ homes: [{ name: 'web01', peer: 'xen1', source: 'guarded' }], guarded: [guarded('web01')], domains: [dom('web01')] })),
    ];
    const m = mergeFleet(tabAndGuarded, fresh);
    expect(m.findings.map((f) => [f.kind, f.subject, f.hosts])).toEqual([['away-unrecorded', 'web01', ['xen1', 'xen2']]]);
    expect(m.findings[0]?.message).toMatch(/^web01 runs on xen2, away from its home xen1, and no ledger records it there .*\(restore xen1 brings it home\)/);
  });

  it('a domU with no home claim, or one that runs nowhere, is not this alert', () => {
    expect(kinds([record('xen1', hostState()), record('xen2', hostState({ domains: [dom('web01')] }))])).toEqual([]);
    expect(kinds([record('xen1', hostState({ homes: [home] })), record('xen2', hostState())])).toEqual([]);
  });
});

describe('a migration whose ending a ledger records as unknown (an unsettled record, until reconcile)', () => {
  const ledger = (u: Record<string, ReturnType<typeof unsettled>>) => ({ seq: 3, away: {}, visitors: {}, unsettled: u });
  /** xen1 ran a migrate of web01 with xen2 that ended in an ALARM; xen2 reports xen2Rows */
  const alarmed = (xen2Rows = [dom('web01')], xen1: Partial<HostRecord> = {}, u: Record<string, ReturnType<typeof unsettled>> = { web01: unsettled('xen2') }): HostRecord[] => [
    { ...record('xen1', hostState({ ledger: ledger(u) })), ...xen1 },
    record('xen2', hostState({ domains: xen2Rows })),
  ];

  it('one CRITICAL finding per record: what ran where, that nobody knows where it runs, what the fleet shows now, and the way out', () => {
    const m = mergeFleet(alarmed(), fresh);
    expect(m.findings.map((f) => [f.id, f.kind, f.subject, f.hosts])).toEqual([['migration-unsettled:web01@xen1', 'migration-unsettled', 'web01@xen1', ['xen1', 'xen2']]]);
    expect(m.findings[0]?.message).toBe(
      "web01: the migrate xen1 ran with xen2 (operation op-7, at 2024-05-01T14:02:00.000Z) ended in an ALARM (XH_ERR_MIGRATION_UNKNOWN); xen1's agent recorded: the migration of its domU ended unknown. Nobody knows where web01 has run since; web01 runs on xen2. xenherd's plans leave it alone until it is settled (no xenherdctl drain, roll, restore, rebalance, migrate or reverse moves or starts it): check both hosts by hand (xenherd-agent status web01 on each), then run xenherd-agent reconcile web01 on xen1",
    );
  });

  it("says why the record outlasts a reconcile: the recording host's agent cannot write its ledger (a full disk), and the fix", () => {
    const full = { role: 'state' as const, dir: '/var/lib/xenherd', freeBytes: 0, totalBytes: 1024 ** 3, readAt: '2024-05-01T14:05:00.000Z', failure: { code: 'ENOSPC' as const, at: '2024-05-01T14:04:00.000Z', what: 'the migration ledger' } };
    const m = mergeFleet([record('xen1', hostState({ ledger: ledger({ web01: unsettled('xen2') }), stateDisks: [full] })), record('xen2', hostState({ domains: [dom('web01')] }))], fresh);
    expect(m.findings.find((f) => f.kind === 'migration-unsettled')?.message).toMatch(
      /then run xenherd-agent reconcile web01 on xen1\. Until then the record cannot go: xen1's agent cannot write its ledger under \/var\/lib\/xenherd \(no space left on the device; the migration ledger failed\), so reconcile fails there too; on xen1, free space on the filesystem holding \/var\/lib\/xenherd \(df -h \/var\/lib\/xenherd; du -xsh \/var\/lib\/xenherd\) first$/,
    );
    // room again (the agent reports no failure): the alert is back to the record alone
    const mended = mergeFleet([record('xen1', hostState({ ledger: ledger({ web01: unsettled('xen2') }), stateDisks: [{ ...full, freeBytes: 1024 ** 2 * 500, failure: null }] })), record('xen2', hostState({ domains: [dom('web01')] }))], fresh);
    expect(mended.findings.find((f) => f.kind === 'migration-unsettled')?.message).toMatch(/reconcile web01 on xen1$/);
  });

  it('says when no host reports the domU, and names a half standing anywhere (the recording host included) as that', () => {
    expect(mergeFleet(alarmed([]), fresh).findings[0]?.message).toContain('; no host reports web01. ');
    const halves = [
      { ...record('xen1', hostState({ domains: [dom('web01', { migration: 'migratedaway' })], ledger: ledger({ web01: unsettled('xen2') }) })) },
      record('xen2', hostState({ domains: [dom('web01', { migration: 'incoming' })] })),
    ];
    expect(mergeFleet(halves, fresh).findings.find((f) => f.kind === 'migration-unsettled')?.message).toContain(
      "; web01--incoming (the receiving half) stands on xen2, and web01--migratedaway (the sender's half) stands on xen1. ",
    );
  });

  it("names an xm sender's half as xend lists it, migrating-NAME", () => {
    const xm = [
      record('xen1', hostState({ toolstack: 'xm', domains: [dom('web01', { migration: 'migratedaway', name: 'migrating-web01' })], ledger: ledger({ web01: unsettled('xen2') }) })),
      record('xen2', hostState({ toolstack: 'xm', domains: [dom('web01', { state: 'paused' })] })),
    ];
    expect(mergeFleet(xm, fresh).findings.find((f) => f.kind === 'migration-unsettled')?.message).toContain("; web01 runs on xen2, and migrating-web01 (the sender's half) stands on xen1. ");
  });

  it("a silent or unreachable host's record still counts, with the age of its last report", () => {
    for (const x1 of [{ lastSeen: NOW - 40_000 }, { linkUp: false, lastSeen: NOW - 40_000 }]) {
      const m = mergeFleet(alarmed([dom('web01')], x1), fresh);
      expect(m.findings.map((f) => f.id)).toEqual(['migration-unsettled:web01@xen1']);
      expect(m.findings[0]?.message).toMatch(/^web01: the migrate xen1 \(unreachable, last heard 40 s ago\) ran with xen2 \(operation op-7, /);
    }
  });

  it('several records: one finding each, per host and domU, each naming its own operation and the host to reconcile on', () => {
    const records = [
      record('xen1', hostState({ ledger: ledger({ web01: unsettled('xen2'), db1: unsettled('xen3', { operation: 'reverse', operationId: 'op-9' }) }) })),
      record('xen2', hostState({ domains: [dom('web01')], ledger: ledger({ web01: unsettled('xen1', { operation: 'reverse', operationId: 'op-8' }) }) })),
      record('xen3', hostState()),
    ];
    const m = mergeFleet(records, fresh);
    expect(m.findings.map((f) => [f.subject, f.hosts])).toEqual([
      ['db1@xen1', ['xen1', 'xen3']],
      ['web01@xen1', ['xen1', 'xen2']],
      ['web01@xen2', ['xen1', 'xen2']],
    ]);
    expect(m.findings[0]?.message).toMatch(/^db1: the reverse xen1 ran with xen3 \(operation op-9, .*; no host reports db1\. .*then run xenherd-agent reconcile db1 on xen1$/);
    expect(m.findings[2]?.message).toMatch(/^web01: the reverse xen2 ran with xen1 \(operation op-8, .*; web01 runs on xen2\. .*then run xenherd-agent reconcile web01 on xen2$/);
  });

  it('none from an agent that keeps no such record (the field absent), nor from an empty one', () => {
    expect(kinds([record('xen1', hostState()), record('xen2', hostState({ domains: [dom('web01')] }))])).toEqual([]);
    expect(kinds(alarmed([dom('web01')], {}, {}))).toEqual([]);
  });

  it('status lists it among the alerts and counts it in the summary', () => {
    const s = mergedStatus(mergeFleet(alarmed(), fresh), fresh);
    expect(s.alerts.map((a) => [a.id, a.kind])).toEqual([['migration-unsettled:web01@xen1', 'migration-unsettled']]);
    expect(s.summary.alerts).toBe(1);
  });
});
