import { describe, expect, it } from 'vitest';
import { arrivedWhileSilent, settleWithoutSource, sourceTold, type SourceHeard } from '../../../controller/plan/settle.js';
import type { InspectReport } from '../../../shared/protocol/agent-link.js';
import type { LinkLedger } from '../../../shared/protocol/agent-link-state.js';
import { dom } from '../states.js';

const r = (rows: InspectReport['rows'], busy = false): InspectReport => ({ kind: 'inspect', host: 'xen2', name: 'w', rows, resources: [], busy });
const silent: SourceHeard = { host: 'xen1', reachable: false, lastSeen: 1_000 };
// the controller saw w--incoming (domid 7) turn into w on xen2 at 5 000, after xen1 fell silent at 1 000
const arrival = { domid: 7, at: 5_000 };

describe('a move settled from its target alone while the source is silent', () => {
  it('at the target: the very domain seen arriving after the source was last heard, no half left', () => {
    const v = settleWithoutSource(silent, r([dom('w')]), arrival, true);
    expect(v).toEqual({ verdict: 'at-target', message: 'xen2: w blocked | xen1: not heard from since before w arrived on xen2' });
  });

  it('no proof, so the source is still waited for: no arrival seen, another domid, the source heard since, reachable, never heard', () => {
    // a plain row the controller never saw arrive (a start by hand): proves nothing of the source
    expect(arrivedWhileSilent(silent, [dom('w')], undefined)).toBe(false);
    // restarted since it arrived: not the domain that came by migration
    expect(arrivedWhileSilent(silent, [dom('w', { domid: 9 })], arrival)).toBe(false);
    // the source was heard after the arrival: its own word, not the target's, says where it is
    expect(arrivedWhileSilent({ ...silent, lastSeen: 6_000 }, [dom('w')], arrival)).toBe(false);
    expect(arrivedWhileSilent({ ...silent, reachable: true }, [dom('w')], arrival)).toBe(false);
    expect(arrivedWhileSilent({ ...silent, lastSeen: null }, [dom('w')], arrival)).toBe(false);
  });

  it('still moving on the target (a half, its agent busy with it) or not running there: null', () => {
    expect(settleWithoutSource(silent, r([dom('w', { migration: 'incoming' })]), arrival, true)).toBeNull();
    expect(settleWithoutSource(silent, r([dom('w'), dom('w', { name: 'w--incoming', migration: 'incoming', domid: 8 })]), arrival, true)).toBeNull();
    expect(settleWithoutSource(silent, r([dom('w')], true), arrival, true)).toBeNull();
    expect(settleWithoutSource(silent, r([dom('w', { state: 'dying' })]), arrival, true)).toBeNull();
    expect(settleWithoutSource(silent, r([]), arrival, true)).toBeNull();
  });

  it("not without the source's closing word to the target: an agent that died mid-migration recorded nothing, and is waited for", () => {
    expect(settleWithoutSource(silent, r([dom('w')]), arrival, false)).toBeNull();
    const ledger = (o: { visitor?: boolean; away?: boolean }): LinkLedger => ({
      seq: 1,
      away: o.away ? { w: { home: 'xen2', currentHost: 'xen1', since: '2025-01-01T00:00:00.000Z', operationId: 'op', reason: 'drain' as const } } : {},
      visitors: o.visitor ? { w: { home: 'xen1', since: '2025-01-01T00:00:00.000Z', operationId: 'status-from-xen1' } } : {},
    });
    // leaving its home: the target records it as a visitor when the source tells it
    expect(sourceTold(ledger({ visitor: true }), 'w', false)).toBe(true);
    expect(sourceTold(ledger({}), 'w', false)).toBe(false);
    // back at its home: the home's away record ends
    expect(sourceTold(ledger({}), 'w', true)).toBe(true);
    expect(sourceTold(ledger({ away: true }), 'w', true)).toBe(false);
    expect(sourceTold(undefined, 'w', false)).toBe(false);
  });
});
