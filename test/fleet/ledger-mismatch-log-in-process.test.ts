import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ledgerStore } from '../../agent/adapters/ledger-store.js';
import { MISMATCH_LOG_AFTER_MS } from '../../agent/core/ledger-mismatches.js';
import { withVisitor } from '../../agent/state/ledger.js';
import type { CommandBody } from '../../shared/protocol/agent-link.js';
import { agentsBed, type AgentsBed } from './agents-with-stand-in.js';
import { pairFleet } from '../harness/pair-fleet.js';

// "ledger mismatch" warnings are for a ledger that disagrees with xl list, not for the moments
// every migration passes through (a domU arrived before its record, a record outliving the
// domU by one step). In process, on the fleet simulator's clock.

const FLEET = pairFleet({ connectDelay: 300 });

let bed: AgentsBed;
afterEach(async () => bed?.stop());

const migrate = (target: string, operationId: string): CommandBody => ({ op: 'migrate', name: 'web1', target, reason: 'manual', operationId, by: 'ctl:admin' });
const mismatchLogs = (host: string) => bed.agent(host).logs.filter((l) => l.code === 'XH_ERR_LEDGER_MISMATCH');

describe('ledger mismatch warnings', () => {
  it('a migration there and back logs none on either Dom0', async () => {
    bed = await agentsBed(FLEET, ['xen1', 'xen2']);
    expect(await bed.run('xen1', migrate('xen2', 'op-1'))).toMatchObject({ ok: true });
    expect(await bed.run('xen2', migrate('xen1', 'op-2'))).toMatchObject({ ok: true });
    await bed.fleet.advance(3 * MISMATCH_LOG_AFTER_MS);
    expect([bed.ledger('xen1')?.away, bed.ledger('xen2')?.visitors]).toEqual([{}, {}]);
    expect([mismatchLogs('xen1'), mismatchLogs('xen2')]).toEqual([[], []]);
  });

  it('one that stands is logged once, after the wait, not before', async () => {
    bed = await agentsBed(FLEET, ['xen1', 'xen2']);
    // a visitor record for a domU that does not run here (left by hand, say)
    const w = await ledgerStore(join(bed.fleet.sim.hostRoot('xen2'), 'var/lib/xenherd'), 'xen2').update((l) => withVisitor(l, 'web1', { home: 'xen1', since: '2025-01-01T00:00:00.000Z', operationId: 'by-hand' }));
    expect(w.ok).toBe(true);
    await bed.fleet.until(() => bed.agent('xen2').core.current.ledger?.visitors['web1'] !== undefined, 'the record read', 120_000);
    await bed.fleet.advance(MISMATCH_LOG_AFTER_MS - 1_000);
    expect(mismatchLogs('xen2')).toEqual([]);
    await bed.fleet.until(() => mismatchLogs('xen2').length > 0, 'the mismatch logged', 5_000);
    expect(mismatchLogs('xen2')[0]).toMatchObject({ level: 40, domu: 'web1', mismatch: 'visitor-not-here', msg: expect.stringContaining('the ledger says web1 (home xen1) runs here, but xl list does not show it') });
    await bed.fleet.advance(5 * MISMATCH_LOG_AFTER_MS);
    expect(mismatchLogs('xen2')).toHaveLength(1);
  });
});
