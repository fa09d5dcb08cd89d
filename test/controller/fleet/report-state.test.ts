import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FleetIndex } from '../../../controller/fleet/fleet-index.js';
import { newHostRecord } from '../../../controller/fleet/host-record.js';
import { conflictInputsChanged, reuseUnchangedRows, stateAfterReport, stateAfterRows } from '../../../controller/fleet/report-state.js';
import { domainRowsBetween, sameLinkDomain } from '../../../shared/protocol/domain-rows.js';
import type { HostState, LinkDomain } from '../../../shared/protocol/agent-link-state.js';
import { runs } from '../../fuzz/fuzz-kit.js';
import { away, dom, guarded, hostState, primary, unsettled } from '../states.js';

/** The running index as sorted text: which host runs which rows of each domU (Map order aside) */
const runningOf = (index: FleetIndex): string[] =>
  [...index.running.entries()].flatMap(([name, byHost]) => [...byHost].map(([host, rows]) => `${name} ${host} ${JSON.stringify(rows)}`)).sort();
/** Rows of a, b, c (as themselves or migration halves) and Domain-0 (which is no domU, whatever base name it is sent with). */
const ROW: fc.Arbitrary<LinkDomain> = fc
  .record({ name: fc.constantFrom('a', 'b', 'c', 'Domain-0'), migration: fc.constantFrom(null, 'incoming', 'migratedaway'), memMiB: fc.constantFrom(1024, 2048) })
  .map(({ name, migration, memMiB }) => (name === 'Domain-0' ? dom(name, { memMiB, baseName: migration === null ? name : 'a' }) : dom(name, { migration, memMiB })));

describe('a host state after a report', () => {
  it('keeps the held object of every row that did not change, and the held section when nothing did', () => {
    const before = [dom('a'), dom('b'), dom('c')];
    const same = reuseUnchangedRows(before, [dom('a'), dom('b'), dom('c')]);
    expect(same).toBe(before);
    const after = reuseUnchangedRows(before, [dom('a'), dom('b', { memMiB: 2048 }), dom('c')]);
    expect(after).not.toBe(before);
    expect(after[0]).toBe(before[0]);
    expect(after[1]).toEqual(dom('b', { memMiB: 2048 }));
    expect(after[2]).toBe(before[2]);
  });

  it('a section whose unchanged rows are already the held objects (changed rows applied) is kept as it came, not copied', () => {
    const before = [dom('a'), dom('b'), dom('c')];
    const applied = [before[0] as LinkDomain, dom('b', { memMiB: 2048 }), before[2] as LinkDomain];
    expect(reuseUnchangedRows(before, applied)).toBe(applied);
    // a held twin further down (an order change) is still found by name
    const moved = [dom('c'), before[0] as LinkDomain, dom('b')];
    const out = reuseUnchangedRows(before, moved);
    expect(out).toEqual(moved);
    expect(out[0]).toBe(before[2]);
    expect(out[2]).toBe(before[1]);
  });

  it('treats every field as a change: domid, state, memory, vcpus, a migration row, an order or count change', () => {
    const before = [dom('a'), dom('b')];
    for (const changed of [{ domid: 8 }, { state: 'paused' as const }, { memMiB: 1 }, { vcpus: 2 }, { domid: null }]) {
      const out = reuseUnchangedRows(before, [dom('a', changed), dom('b')]);
      expect(out[0]).toEqual(dom('a', changed));
      expect(out[0]).not.toBe(before[0]);
    }
    const migrating = reuseUnchangedRows(before, [dom('a', { migration: 'migratedaway' }), dom('b')]);
    expect(migrating[0]?.name).toBe('a--migratedaway');
    const swapped = reuseUnchangedRows(before, [dom('b'), dom('a')]);
    expect(swapped).toEqual([dom('b'), dom('a')]);
    expect(swapped).not.toBe(before);
    expect(swapped[0]).toBe(before[1]);
    expect(reuseUnchangedRows(before, [dom('a')])).toEqual([dom('a')]);
    expect(reuseUnchangedRows(before, [])).toEqual([]);
  });

  it('a snapshot replaces the state, a delta its sections; a delta before any snapshot is nothing', () => {
    const s0 = hostState({ domains: [dom('a'), dom('b')] });
    const snap = stateAfterReport(null, { type: 'snapshot', seq: 1, at: 1, state: s0 });
    expect(snap).toEqual(s0);
    const delta = stateAfterReport(snap, { type: 'delta', seq: 2, at: 2, state: { domains: [dom('a'), dom('b', { state: 'paused' })] } });
    expect(delta?.domains[0]).toBe(snap?.domains[0]);
    expect(delta?.domains[1]?.state).toBe('paused');
    expect(delta?.ledger).toBe(snap?.ledger);
    expect(stateAfterReport(null, { type: 'delta', seq: 1, at: 1, state: { domains: [] } })).toBeNull();
  });

  it('the fleet index keeps the held rows of a domU whose rows are unchanged, and answers the same', () => {
    const index = new FleetIndex();
    const s0 = hostState({ domains: [dom('a'), dom('b')] });
    index.put({ ...newHostRecord('xen1'), state: s0 });
    const heldA = index.running.get('a')?.get('xen1');
    const s1 = stateAfterReport(s0, { type: 'delta', seq: 2, at: 2, state: { domains: [dom('a'), dom('b', { memMiB: 4096 })] } });
    const moved = index.put({ ...newHostRecord('xen1'), state: s1 });
    expect(moved).toEqual([]);
    expect(index.running.get('a')?.get('xen1')).toBe(heldA);
    expect(index.running.get('b')?.get('xen1')?.[0]?.memMiB).toBe(4096);
    const s2 = stateAfterReport(s1, { type: 'delta', seq: 3, at: 3, state: { domains: [dom('b', { memMiB: 4096 })] } });
    expect(index.put({ ...newHostRecord('xen1'), state: s2 })).toEqual(['a']);
    expect(index.running.get('a')).toBeUndefined();
    expect([...index.knownNames()]).toEqual(['b']);
  });

  it('updated report by report, the index answers as one built from the current records alone', () => {
    // a new list of rows, or the host's last rows with one row's figures changed (the usual delta)
    const report = fc.record({ host: fc.constantFrom('xen1', 'xen2'), rows: fc.option(fc.array(ROW, { maxLength: 5 }), { nil: undefined }), tweak: fc.nat(4) });
    fc.assert(
      fc.property(fc.array(report, { maxLength: 15 }), (reports) => {
        const index = new FleetIndex();
        const states = new Map<string, HostState>();
        for (const { host, rows: fresh, tweak } of reports) {
          const before = states.get(host) ?? null;
          const held = before?.domains ?? [];
          const rows = fresh ?? held.map((d, i) => (i === tweak % held.length ? { ...d, memMiB: d.memMiB + 1 } : d));
          const state = stateAfterReport(before, before === null ? { type: 'snapshot', seq: 1, at: 1, state: hostState({ domains: rows }) } : { type: 'delta', seq: 2, at: 2, state: { domains: rows } });
          if (state === null) continue;
          states.set(host, state);
          index.put({ ...newHostRecord(host), state });
          const rebuilt = new FleetIndex();
          for (const [h, st] of states) rebuilt.put({ ...newHostRecord(h), state: st });
          expect(runningOf(index)).toEqual(runningOf(rebuilt));
        }
      }),
      runs(300),
    );
  });

  it('a delta of changed rows makes the state the whole section makes (new rows last), each unchanged row the object held', () => {
    const rowsOf = fc.array(ROW, { maxLength: 6 });
    fc.assert(
      fc.property(rowsOf, rowsOf, fc.boolean(), (held, next, memory) => {
        const before = hostState({ domains: held });
        const rows = domainRowsBetween(before.domains, next);
        if (rows === null) return;
        const figures = memory ? { memory: { totalMiB: 65536, freeMiB: 1024 } } : {};
        const whole = stateAfterReport(before, { type: 'delta', seq: 2, at: 2, state: { ...figures, domains: next } });
        const applied = stateAfterRows(before, { type: 'delta', seq: 2, at: 2, state: figures, rows });
        // new rows go at the end (applyDomainRows): the same rows, in the order the rows make
        const byName = (x: HostState | null): HostState | null => (x === null ? null : { ...x, domains: [...x.domains].sort((a, b) => a.name.localeCompare(b.name)) });
        expect(applied.ok ? byName(applied.value) : applied).toEqual(byName(whole));
        const domains = applied.ok ? (applied.value?.domains ?? []) : [];
        for (const d of domains) if (before.domains.some((b) => sameLinkDomain(b, d))) expect(before.domains).toContain(d);
      }),
      runs(300),
    );
    // rows out of step with what is held: refused, for a new snapshot
    const before = hostState({ domains: [dom('a')] });
    expect(stateAfterRows(before, { type: 'delta', seq: 2, at: 2, state: {}, rows: { set: [], gone: ['b'], count: 0 } })).toEqual({ ok: false, error: 'rows said gone are not held: b' });
    expect(stateAfterRows(null, { type: 'delta', seq: 1, at: 1, state: {}, rows: { set: [], gone: [], count: 0 } }).ok).toBe(false);
  });

  it('tells a report that changes what the conflict checks read from one that only changes figures', () => {
    const s0 = hostState({ domains: [dom('a'), dom('b')] });
    const after = (state: Parameters<typeof stateAfterReport>[1]['state']) => stateAfterReport(s0, { type: 'delta', seq: 2, at: 2, state }) ?? s0;
    expect(conflictInputsChanged(null, s0)).toBe(true);
    // figures only: memory of a row, the host's memory, maintenance
    expect(conflictInputsChanged(s0, after({ domains: [dom('a', { memMiB: 9 }), dom('b')] }))).toBe(false);
    expect(conflictInputsChanged(s0, after({ domains: [dom('a'), dom('b', { state: 'running', vcpus: 4 })] }))).toBe(false);
    expect(conflictInputsChanged(s0, after({ memory: { totalMiB: 1, freeMiB: 1 } }))).toBe(false);
    // what runs, and as what
    expect(conflictInputsChanged(s0, after({ domains: [dom('a')] }))).toBe(true);
    expect(conflictInputsChanged(s0, after({ domains: [dom('a'), dom('c')] }))).toBe(true);
    expect(conflictInputsChanged(s0, after({ domains: [dom('a', { migration: 'migratedaway' }), dom('b')] }))).toBe(true);
    expect(conflictInputsChanged(s0, after({ domains: [dom('a', { state: 'dying' }), dom('b')] }))).toBe(true);
    expect(conflictInputsChanged(s0, after({ domains: [dom('a', { domid: null }), dom('b')] }))).toBe(true);
    // the other inputs: homes, DRBD, ledger, guarded (any report of the section counts)
    expect(conflictInputsChanged(s0, after({ homes: [] }))).toBe(true);
    expect(conflictInputsChanged(s0, after({ drbd: { availability: 'ok', resources: [primary('r1', 'xen2')] } }))).toBe(true);
    expect(conflictInputsChanged(s0, after({ ledger: { seq: 1, away: { a: away('xen1', 'xen2') }, visitors: {} } }))).toBe(true);
    expect(conflictInputsChanged(s0, after({ guarded: [guarded('a')] }))).toBe(true);
    // the configs: whether a host holds anything of a domU it runs or claims is read from them (foreign-claims.ts)
    expect(conflictInputsChanged(s0, after({ domus: [{ name: 'a', source: 'config-dir', memMiB: 1024, vcpus: 1, resources: [{ name: 'r-a', hosts: ['xen2', 'xen3'] }] }] }))).toBe(true);
  });

  it("a ledger whose unsettled records alone changed is a change the alerts see, and the fleet index follows it (reconcile drops it)", () => {
    const s0 = hostState({ domains: [dom('a')] });
    const s1 = stateAfterReport(s0, { type: 'delta', seq: 2, at: 2, state: { ledger: { ...s0.ledger, unsettled: { a: unsettled('xen2') } } } }) ?? s0;
    expect(conflictInputsChanged(s0, s1)).toBe(true);
    const index = new FleetIndex();
    index.put({ ...newHostRecord('xen1'), state: s0 });
    expect(index.unsettled.get('a')).toBeUndefined();
    index.put({ ...newHostRecord('xen1'), state: s1 });
    expect([...(index.unsettled.get('a') ?? [])]).toEqual([['xen1', unsettled('xen2')]]);
    // xenherd-agent reconcile a on xen1: the next report's ledger no longer has it (an empty record is left out)
    const s2 = stateAfterReport(s1, { type: 'delta', seq: 3, at: 3, state: { ledger: { ...s0.ledger, seq: 1 } } }) ?? s1;
    expect(conflictInputsChanged(s1, s2)).toBe(true);
    index.put({ ...newHostRecord('xen1'), state: s2 });
    expect(index.unsettled.get('a')).toBeUndefined();
    expect(index.isKnown('a')).toBe(true); // still running on xen1
  });
});
