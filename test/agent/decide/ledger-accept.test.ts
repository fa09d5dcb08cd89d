import { describe, expect, it } from 'vitest';
import { acceptXlList, type AcceptInput } from '../../../agent/decide/ledger-accept.js';
import { xlListed, xmListed } from '../listed-domains.js';
import { emptyLedger, withAway, withUnsettled, withVisitor, type Ledger, type UnsettledRecord } from '../../../agent/state/ledger.js';

const base = emptyLedger('xen1');
const away = withAway(base, 'web1', { home: 'xen1', currentHost: 'xen2', since: 't0', operationId: 'op1', reason: 'manual' });
const visiting = withVisitor(base, 'db1', { home: 'xen2', since: 't0', operationId: 'op2' });
const input = (ledger: Ledger, running: string[], name: string, home: string | null = null): AcceptInput => ({
  ledger, running: xlListed('Domain-0', ...running), toolstack: 'xl', homedHere: new Set(['web1']), name, home, now: 't1', operationId: 'reconcile-x',
});

describe('acceptXlList (reconcile NAME)', () => {
  it('drops the away record of a domU that runs here', () => {
    const v = acceptXlList(input(away, ['web1'], 'web1'));
    expect(v.kind).toBe('change');
    if (v.kind !== 'change') return;
    expect(v.mismatch?.kind).toBe('away-but-running-here');
    expect(v.ledger.away).toEqual({});
    expect(v.says).toBe('web1 runs here: its away record (to xen2) is dropped');
  });

  it('drops the visitor record of a domU that is not here', () => {
    const v = acceptXlList(input(visiting, [], 'db1'));
    expect(v).toMatchObject({ kind: 'change', mismatch: { kind: 'visitor-not-here' } });
    if (v.kind === 'change') expect(v.ledger.visitors).toEqual({});
  });

  it('records an unrecorded guest as a visitor only with --home, never from this host', () => {
    expect(acceptXlList(input(base, ['db1'], 'db1'))).toEqual({ kind: 'refused', why: expect.stringContaining('--home HOST') });
    expect(acceptXlList(input(base, ['db1'], 'db1', 'xen1'))).toEqual({ kind: 'refused', why: expect.stringContaining('is this host') });
    const v = acceptXlList(input(base, ['db1'], 'db1', 'xen2'));
    expect(v.kind).toBe('change');
    if (v.kind === 'change') expect(v.ledger.visitors['db1']).toEqual({ home: 'xen2', since: 't1', operationId: 'reconcile-x' });
  });

  it('changes nothing when the ledger and xl list agree', () => {
    for (const [l, running, name] of [
      [away, [], 'web1'],
      [visiting, ['db1'], 'db1'],
      [base, ['web1'], 'web1'],
      [base, [], 'nosuch'],
    ] as const) {
      expect(acceptXlList(input(l, [...running], name)).kind).toBe('nothing');
    }
  });

  it("names the list the operator can run himself: xm list on an xm host", () => {
    const xm = { ...input(base, [], 'web1'), running: xmListed('Domain-0', 'web1'), toolstack: 'xm' as const };
    expect(acceptXlList(xm)).toEqual({ kind: 'nothing', why: 'the ledger and xm list agree about web1: nothing to reconcile' });
    const alarm: UnsettledRecord = { peer: 'xen2', since: '2026-01-01T00:00:00.000Z', operationId: 'op9', operation: 'migrate', message: 'ALARM: ...' };
    const v = acceptXlList({ ...xm, ledger: withUnsettled(base, 'web1', alarm) });
    expect(v.kind === 'change' && v.says).toMatch(/is settled: xm list shows it here$/);
  });

  it('refuses mid-migration names: the migration decides', () => {
    for (const n of ['web1--incoming', 'web1--migratedaway']) {
      const v = acceptXlList(input(away, [n], 'web1'));
      expect(v).toEqual({ kind: 'refused', why: expect.stringContaining(`the domain list shows ${n}`) });
    }
  });

  it("refuses xend's migrating-NAME the same way: on an xm host it is NAME leaving", () => {
    const v = acceptXlList({ ...input(away, [], 'web1'), running: xmListed('Domain-0', 'migrating-web1') });
    expect(v).toEqual({ kind: 'refused', why: expect.stringContaining('the domain list shows migrating-web1') });
    // the name of another domU that merely starts with "migrating" is not a migration
    expect(acceptXlList({ ...input(base, [], 'migrating'), running: xmListed('Domain-0', 'migrating') })).toEqual({ kind: 'refused', why: expect.stringContaining('--home HOST') });
  });

  it('only ever touches the named domU', () => {
    const both = withVisitor(away, 'db1', { home: 'xen2', since: 't0', operationId: 'op2' });
    const v = acceptXlList(input(both, ['web1'], 'web1'));
    expect(v.kind).toBe('change');
    if (v.kind === 'change') expect(v.ledger.visitors).toEqual(both.visitors);
  });

  describe('a migration that ended in an ALARM (unsettled)', () => {
    const alarm: UnsettledRecord = { peer: 'xen2', since: '2026-01-01T00:00:00.000Z', operationId: 'op9', operation: 'migrate', message: 'ALARM: ...' };
    const unsettled = withUnsettled(base, 'web1', alarm);

    it('is settled by reconcile whether or not the domU runs here, and only that record goes', () => {
      for (const running of [['web1'], []]) {
        const v = acceptXlList(input(withVisitor(unsettled, 'db1', { home: 'xen2', since: 't0', operationId: 'op2' }), [...running, 'db1'], 'web1'));
        expect(v).toMatchObject({ kind: 'change', mismatch: null, settled: alarm });
        if (v.kind !== 'change') continue;
        expect(v.ledger.unsettled).toEqual({});
        expect(Object.keys(v.ledger.visitors)).toEqual(['db1']);
        expect(v.says).toBe(`the ALARM of its migrate with xen2 (operation op9, 2026-01-01T00:00:00.000Z) is settled: xl list ${running.length ? 'shows it here' : 'does not show it here; if its copy on xen2 was kept, record it there: xenherd-agent reconcile web1 --home xen1 on xen2'}`);
      }
    });

    it('settled on the sender of a visitor it no longer runs: the copy kept at its home is recorded there by a plain reconcile', () => {
      const v = acceptXlList(input(withUnsettled(withVisitor(base, 'db1', { home: 'xen2', since: 't0', operationId: 'op2' }), 'db1', { ...alarm, operation: 'reverse' }), [], 'db1'));
      expect(v.kind === 'change' && v.says).toMatch(/; if its copy on xen2 was kept, record it there: xenherd-agent reconcile db1 on xen2$/);
    });

    it('is settled together with the mismatch xl list confirms, in one change', () => {
      const v = acceptXlList(input(withUnsettled(away, 'web1', alarm), ['web1'], 'web1'));
      expect(v).toMatchObject({ kind: 'change', mismatch: { kind: 'away-but-running-here' }, settled: alarm });
      if (v.kind !== 'change') return;
      expect(v.ledger.away).toEqual({});
      expect(v.ledger.unsettled).toEqual({});
      expect(v.says).toMatch(/^web1 runs here: its away record \(to xen2\) is dropped; the ALARM of its migrate with xen2 .* is settled: xl list shows it here$/);
    });

    it('stays while a migration of it runs, or while its guest here still needs --home', () => {
      expect(acceptXlList(input(unsettled, ['web1--incoming'], 'web1')).kind).toBe('refused');
      const guest = withUnsettled(base, 'db1', alarm);
      expect(acceptXlList(input(guest, ['db1'], 'db1'))).toEqual({ kind: 'refused', why: expect.stringContaining('--home HOST') });
    });
  });
});
