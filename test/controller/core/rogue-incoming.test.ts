import { describe, expect, it } from 'vitest';
import { alertProblems } from '../../../controller/fleet/check-conditions.js';
import { FleetIndex } from '../../../controller/fleet/fleet-index.js';
import { away, dom, hostState } from '../states.js';
import { coreBed } from './core-bed.js';

describe('a NAME--incoming row no migration explains, from a report to the alert', () => {
  it('raised once it has stood longer than any migration takes, naming the host; cleared when the row goes', async () => {
    const bed = coreBed();
    const xen1 = await bed.online('xen1', hostState({ domains: [dom('mail1', { migration: 'incoming', state: 'paused' })] }));
    const xen2 = await bed.online('xen2', hostState({ domains: [dom('mail1')] }));
    const xen3 = await bed.online('xen3', hostState({ homes: [{ name: 'mail1', peer: 'xen2', source: 'migrate-tab' }], ledger: { seq: 1, away: { mail1: away('xen3', 'xen2') }, visitors: {} } }));
    const pass = async (s: number): Promise<void> => {
      for (let t = 0; t < s; t++) {
        await bed.clock.advance(1_000);
        for (const a of [xen1, xen2, xen3]) a.agent.heartbeat();
      }
    };
    await pass(34 * 60);
    expect(bed.core.status().alerts).toEqual([]);
    await pass(2 * 60);
    const alerts = bed.core.status().alerts;
    expect(alerts.map((a) => [a.id, a.hosts])).toEqual([['migration-stranded:mail1@xen1', ['xen1', 'xen2']]]);
    expect(alertProblems(alerts, new FleetIndex(), { now: 0, staleAfterMs: 15_000 })[0]).toMatchObject({ status: 'CRITICAL', short: 'mail1: a migration half stands on xen1, no migration explains it' });
    xen1.agent.delta({ domains: [] });
    await pass(2);
    expect(bed.core.status().alerts).toEqual([]);
  });
});
