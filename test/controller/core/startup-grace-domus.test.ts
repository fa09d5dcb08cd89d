import { describe, expect, it } from 'vitest';
import { startupGraceMs } from '../../../controller/fleet/enrolment.js';
import { DEFAULT_CHECK_THRESHOLDS } from '../../../shared/protocol/ctl-check.js';
import { guarded, hostState } from '../states.js';
import { coreBed, SETTINGS } from './core-bed.js';

// After a controller restart, within its start-up grace, a domU not seen running only because the
// Dom0s that could run it have not reported yet is part of the one WARNING about those Dom0s, not
// a WARNING of its own beside it; once the grace is over, each is said as before.

const GRACE = startupGraceMs(3_000, 3);

describe('the start-up grace speaks for the domUs of Dom0s still reconnecting', () => {
  it('one WARNING naming them within the grace; their own lines after it', async () => {
    const enrolled = new Set(['xen1', 'xen2', 'xen3']);
    const bed = coreBed(SETTINGS, () => enrolled);
    // xen1 in maintenance holds web1 back; xen2, web1's DRBD partner, may run it and has not reported
    const { agent } = await bed.online(
      'xen1',
      hostState({
        maintenance: { state: 'maintenance', operationId: 'op-1', owner: 'ctl' },
        homes: [{ name: 'web1', peer: 'xen2', source: 'migrate-tab' }],
        guarded: [guarded('web1', ['r1'], { decision: 'skip', reason: 'maintenance', since: new Date(bed.clock.now()).toISOString() })],
      }),
    );
    await bed.clock.advance(2_000);
    agent.heartbeat();
    await bed.clock.advance(0);
    const early = bed.core.monitor.check(DEFAULT_CHECK_THRESHOLDS);
    expect(early.status).toBe('WARNING');
    expect(early.details).toEqual([
      {
        status: 'WARNING',
        kind: 'hosts-not-reported',
        subject: '2 of 3 enrolled Dom0s',
        text: 'the controller started 2 s ago; 2 of 3 enrolled Dom0s have not reported yet: the view is incomplete; until they report, web1 not seen running',
      },
    ]);
    for (let t = 0; t < GRACE; t += 1_000) {
      await bed.clock.advance(1_000);
      agent.heartbeat();
    }
    await bed.clock.advance(0);
    const late = bed.core.monitor.check(DEFAULT_CHECK_THRESHOLDS);
    expect(late.details.map((d) => `${d.status} ${d.kind} ${d.subject}`)).toEqual(['CRITICAL host-unreachable xen2', 'CRITICAL host-unreachable xen3', 'WARNING down-in-maintenance web1']);
  });

  it('a guarded domU its Dom0 skips as handled-this-boot, its partner not reported yet: in that WARNING, then a WARNING of its own, never "down"', async () => {
    const enrolled = new Set(['xen1', 'xen2', 'xen3']);
    const bed = coreBed(SETTINGS, () => enrolled);
    const stopped = new Date(bed.clock.now() - 10 * 60_000).toISOString();
    const { agent } = await bed.online(
      'xen1',
      hostState({
        homes: [{ name: 'web1', peer: 'xen2', source: 'migrate-tab' }],
        guarded: [guarded('web1', ['r1'], { decision: 'skip', reason: 'handled-this-boot', since: stopped })],
      }),
    );
    await bed.clock.advance(2_000);
    agent.heartbeat();
    await bed.clock.advance(0);
    const early = bed.core.monitor.check(DEFAULT_CHECK_THRESHOLDS);
    expect(early.details.map((d) => `${d.status} ${d.kind} ${d.text}`)).toEqual([
      'WARNING hosts-not-reported the controller started 2 s ago; 2 of 3 enrolled Dom0s have not reported yet: the view is incomplete; until they report, web1 not seen running',
    ]);
    for (let t = 0; t < GRACE; t += 1_000) {
      await bed.clock.advance(1_000);
      agent.heartbeat();
    }
    await bed.clock.advance(0);
    const late = bed.core.monitor.check(DEFAULT_CHECK_THRESHOLDS);
    expect(late.details.map((d) => `${d.status} ${d.kind} ${d.subject}`)).toEqual(['CRITICAL host-unreachable xen2', 'CRITICAL host-unreachable xen3', 'WARNING down-guarded web1']);
  });
});
