import { describe, expect, it } from 'vitest';
import { xlListed, xmListed } from '../listed-domains.js';
import { awayMap, emptyLedger, reconcile, withAway, withVisitor } from '../../../agent/state/ledger.js';

const base = withVisitor(
  withAway(emptyLedger('xen1'), 'web1', { home: 'xen1', currentHost: 'xen2', since: 't', operationId: 'o1', reason: 'manual' }),
  'db1',
  { home: 'xen2', since: 't', operationId: 'o2' },
);

describe('ledger reconcile against xl list', () => {
  it('agrees: no mismatches, nothing withheld', () => {
    const r = reconcile(base, xlListed('Domain-0', 'db1', 'mail1'), new Set(['web1', 'mail1']));
    expect(r.mismatches).toEqual([]);
    expect(r.ledger).toEqual(base);
    expect(awayMap(r.ledger)).toEqual(new Map([['web1', 'xen2']]));
  });

  it('never claims what xl list contradicts, and reports each mismatch', () => {
    const r = reconcile(base, xlListed('Domain-0', 'web1', 'stray'), new Set(['web1']));
    expect(r.mismatches.map((m) => [m.kind, m.domu])).toEqual([
      ['away-but-running-here', 'web1'],
      ['visitor-not-here', 'db1'],
      ['unrecorded-guest', 'stray'],
    ]);
    expect(r.ledger.away).toEqual({});
    expect(r.ledger.visitors).toEqual({});
  });

  it('reads libxl migration names as the domU itself', () => {
    const r = reconcile(base, xlListed('db1--incoming'), new Set(['web1']));
    expect(r.mismatches).toEqual([]);
  });

  it("a migration's half alone of a domU neither homed nor a visitor here is the move, not an unrecorded guest; its plain row is one", () => {
    expect(reconcile(base, xlListed('stray--incoming', 'db1'), new Set(['web1'])).mismatches).toEqual([]);
    const plain = reconcile(base, xlListed('db1', 'stray'), new Set(['web1']));
    expect(plain.mismatches.map((m) => [m.kind, m.domu])).toEqual([['unrecorded-guest', 'stray']]);
  });

  it("reads xend's migrating-NAME as the domU itself: no stray guest, the visitor still here", () => {
    const r = reconcile(base, xmListed('Domain-0', 'migrating-db1'), new Set(['web1']));
    expect(r.mismatches).toEqual([]);
    expect(r.ledger).toEqual(base);
  });
});
