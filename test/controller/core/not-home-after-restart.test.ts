import { describe, expect, it } from 'vitest';
import { DEFAULT_CHECK_THRESHOLDS } from '../../../shared/protocol/ctl-check.js';
import type { MigrationReason } from '../../../shared/protocol/agent-link-values.js';
import { away, dom, hostState, primary } from '../states.js';
import { coreBed, SETTINGS, T0 } from './core-bed.js';

// A controller restart must not restart the not-home clock: a freshly started controller first
// hears of mail1's home (xen5) as online, but xen5's ledger dates the move, and that date counts.
// A drain of the home is the exception: the home was out of service and came back at a time the
// restarted controller cannot know, so it counts from its first report, as before.

const MIN = 60_000;
// long enough that the fake agents need no heartbeats through the half hour
const SLOW = { ...SETTINGS, staleAfterMs: 3 * 60 * MIN };

async function restartedController(reason: MigrationReason) {
  const bed = coreBed(SLOW);
  const left = new Date(T0 - 7 * MIN).toISOString();
  await bed.online('xen5', hostState({ homes: [{ name: 'mail1', peer: 'xen4', source: 'migrate-tab' }], drbd: { availability: 'ok', resources: [primary('r1', 'xen4', 'Secondary', 'Primary')] }, ledger: { seq: 1, away: { mail1: away('xen5', 'xen4', { since: left, reason }) }, visitors: {} } }));
  await bed.online('xen4', hostState({ domains: [dom('mail1')], drbd: { availability: 'ok', resources: [primary('r1', 'xen5')] }, ledger: { seq: 1, away: {}, visitors: { mail1: { home: 'xen5', since: left, operationId: 'op-1' } } } }));
  return bed;
}

const awayLine = (bed: Awaited<ReturnType<typeof restartedController>>) => bed.core.monitor.check(DEFAULT_CHECK_THRESHOLDS).details.find((d) => d.subject === 'mail1');

describe('the not-home clock across a controller restart', () => {
  it('counts from the move the ledger dates, not from the first report of the home', async () => {
    const bed = await restartedController('manual');
    expect(awayLine(bed)).toMatchObject({ status: 'WARNING', text: 'mail1 runs on xen4, not on its home xen5, which is online: for 7 min since it left xen5; CRITICAL after 30 min: xenherdctl restore xen5 brings it home' });
    await bed.clock.advance(23 * MIN);
    expect(awayLine(bed)).toMatchObject({ status: 'CRITICAL', kind: 'not-home-too-long', text: 'mail1 runs on xen4, not on its home xen5, which is online: for 30 min since it left xen5: xenherdctl restore xen5 brings it home' });
  });

  it('a drain of the home still counts from when the home is known online: its first report', async () => {
    const bed = await restartedController('drain');
    expect(awayLine(bed)).toMatchObject({ status: 'WARNING', text: 'mail1 runs on xen4, not on its home xen5, which is online: for 0 s since xen5 came online; CRITICAL after 30 min: xenherdctl restore xen5 brings it home' });
    await bed.clock.advance(23 * MIN);
    expect(awayLine(bed)).toMatchObject({ status: 'WARNING' });
  });
});
