import { describe, expect, it } from 'vitest';
import { startupGraceMs } from '../../../controller/fleet/enrolment.js';
import { DEFAULT_CHECK_THRESHOLDS } from '../../../shared/protocol/ctl-check.js';
import { LINK_FEATURE, reconnectSpreadMs, welcomeTermsFor } from '../../../shared/protocol/agent-link.js';
import { dom, hostState } from '../states.js';
import { coreBed, SETTINGS } from './core-bed.js';

// After a controller restart every agent dials back at once. The controller tells each agent that
// understands it how far to spread its first try (10 ms per enrolled Dom0, 1.5 s to 60 s), and
// waits that much longer before it calls a Dom0 not heard from unreachable.

const fleetOf = (n: number): ReadonlySet<string> => new Set(Array.from({ length: n }, (_, i) => `xen${i}`));

describe('the reconnect spread a controller tells its agents', () => {
  it('grows with the enrolled Dom0s, bounded: a small fleet keeps about the old first wait', () => {
    expect([0, 2, 50, 150, 400, 2_000, 6_000, 100_000].map(reconnectSpreadMs)).toEqual([1_500, 1_500, 1_500, 1_500, 4_000, 20_000, 60_000, 60_000]);
  });

  it('only in the welcome of an agent announcing it: an older agent refuses a welcome with a key it does not know', () => {
    expect(welcomeTermsFor(['migrate', LINK_FEATURE.reconnectSpread], 2_000)).toEqual({ accepts: [LINK_FEATURE.reconnectSpread], reconnectSpreadMs: 20_000 });
    expect(welcomeTermsFor(['migrate', LINK_FEATURE.domainRows], 2_000)).toEqual({ accepts: [LINK_FEATURE.domainRows] });
    expect(welcomeTermsFor(['migrate'], 2_000)).toEqual({});
  });

  it("the core's welcome carries the spread of tokens.json's Dom0s to an agent announcing it, and nothing new to others", async () => {
    const enrolled = fleetOf(2_000);
    const bed = coreBed(SETTINGS, () => enrolled);
    const knowing = bed.connect('xen1').agent;
    const older = bed.connect('xen2').agent;
    knowing.hello({ capabilities: ['migrate', LINK_FEATURE.reconnectSpread] });
    older.hello({ capabilities: ['migrate', LINK_FEATURE.fleetSilent] });
    await bed.clock.advance(0);
    expect(knowing.of('welcome')).toEqual([expect.objectContaining({ reconnectSpreadMs: 20_000 })]);
    const [welcome] = older.of('welcome');
    expect(Object.keys(welcome ?? {}).sort()).toEqual(['accepts', 'heartbeatMs', 'protocol', 'staleAfterMs', 'type']);
  });

  it('the start-up grace grows by the spread: 2,000 Dom0s still within theirs are a WARNING, not CRITICAL', async () => {
    const enrolled = fleetOf(2_000);
    const bed = coreBed(SETTINGS, () => enrolled);
    const { agent } = await bed.online('xen0', hostState({ domains: [dom('web01')] }));
    // the spread (20 s), the longest retry wait (90 s), staleAfter (3 s)
    const grace = startupGraceMs(3_000, enrolled.size);
    // past what the grace was without the spread (93 s)
    for (let t = 0; t < 100_000; t += 1_000) {
      await bed.clock.advance(1_000);
      agent.heartbeat();
    }
    const within = bed.core.monitor.check(DEFAULT_CHECK_THRESHOLDS);
    expect(within.status).toBe('WARNING');
    expect(within.details).toEqual([expect.objectContaining({ kind: 'hosts-not-reported', subject: '1999 of 2000 enrolled Dom0s' })]);
    expect(grace).toBe(113_000);
    for (let t = 100_000; t < grace + 1_000; t += 1_000) {
      await bed.clock.advance(1_000);
      agent.heartbeat();
    }
    const after = bed.core.monitor.check(DEFAULT_CHECK_THRESHOLDS);
    expect(after.status).toBe('CRITICAL');
    expect(after.details.filter((d) => d.kind === 'host-unreachable')).toHaveLength(1_999);
  });
});
