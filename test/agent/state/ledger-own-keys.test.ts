import { describe, expect, it } from 'vitest';
import { emptyLedger, LedgerSchema, reconcile, withAway, without } from '../../../agent/state/ledger.js';
import { LinkLedgerSchema } from '../../../shared/protocol/agent-link-state.js';
import { xlListed } from '../listed-domains.js';

// DomU names are the operator's: one may be called `constructor` or `valueOf`. A ledger lookup of
// such a name must find its entry or nothing, never a function inherited from Object.prototype.
describe('ledger records keyed by domU names', () => {
  it('have no inherited entries, as read from disk, as built, and as reported to the controller', () => {
    const parsed = LedgerSchema.parse({ schema: 1, host: 'xen1', seq: 1, away: {}, visitors: {} });
    for (const l of [parsed, emptyLedger('xen1'), without(withAway(emptyLedger('xen1'), 'web1', { home: 'xen1', currentHost: 'xen2', since: '2024-05-01T14:02:00.000Z', operationId: 'op-1', reason: 'manual' }), 'web1')]) {
      for (const name of ['constructor', 'valueOf', 'toString', 'hasOwnProperty']) {
        expect(l.away[name]).toBeUndefined();
        expect(l.visitors[name]).toBeUndefined();
      }
    }
    const link = LinkLedgerSchema.parse({ seq: 0, away: {}, visitors: {} });
    expect(link.away['constructor']).toBeUndefined();
  });

  it('a domU named constructor running here unrecorded is an unrecorded guest, not a visitor', () => {
    const r = reconcile(emptyLedger('xen1'), xlListed('constructor'), new Set());
    expect(r.mismatches.map((m) => [m.domu, m.kind])).toEqual([['constructor', 'unrecorded-guest']]);
  });
});
