import { describe, expect, it } from 'vitest';
import { DEFAULT_CHECK_THRESHOLDS } from '../../../shared/protocol/ctl-check.js';
import type { HostState } from '../../../shared/protocol/agent-link-state.js';
import { dom, guarded, hostState, primary } from '../states.js';
import { coreBed, type CoreBed } from './core-bed.js';

// web1 on r4, running on xen1, its DRBD partner xen3 holding a standby config of it
const config = { name: 'web1', source: 'config-dir' as const, memMiB: 512, vcpus: 1, resources: [{ name: 'r4', hosts: ['xen1', 'xen3'] }] };
const xen1State = (peerRole: 'Primary' | 'Secondary'): HostState =>
  hostState({ domains: [dom('web1')], guarded: [guarded('web1', ['r4'])], domus: [{ ...config, source: 'guarded' }], drbd: { availability: 'ok', resources: [primary('r4', 'xen3', 'Primary', peerRole)] } });
const xen3State = (): HostState => hostState({ domus: [config], drbd: { availability: 'ok', resources: [primary('r4', 'xen1', 'Secondary', 'Primary')] } });

async function pair(): Promise<{ bed: CoreBed; beat: (ms: number) => Promise<void>; xen1: Awaited<ReturnType<CoreBed['online']>>; xen3: Awaited<ReturnType<CoreBed['online']>> }> {
  const bed = coreBed();
  const xen1 = await bed.online('xen1', xen1State('Secondary'));
  const xen3 = await bed.online('xen3', xen3State());
  const beat = async (ms: number): Promise<void> => {
    for (let t = 0; t < ms; t += 500) {
      await bed.clock.advance(500);
      xen1.agent.heartbeat();
      xen3.agent.heartbeat();
    }
  };
  return { bed, beat, xen1, xen3 };
}

describe("a live migration's target promoted before its domain delta reaches the controller", () => {
  it('is no split brain: no alert, no CRITICAL, no ALERT line, while the NAME--incoming row is on its way', async () => {
    const { bed, beat, xen1, xen3 } = await pair();
    // events2 is faster than the xenstore watch and the xl list it asks for: the promotion comes first
    xen3.agent.delta({ drbd: { availability: 'ok', resources: [primary('r4', 'xen1', 'Primary', 'Primary')] } });
    xen1.agent.delta({ drbd: xen1State('Primary').drbd });
    await beat(1_000);
    expect(bed.core.status().alerts).toEqual([]);
    expect(bed.core.monitor.check(DEFAULT_CHECK_THRESHOLDS).status).toBe('OK');
    xen3.agent.delta({ domains: [dom('web1', { migration: 'incoming', state: 'paused' })] });
    await beat(10_000);
    expect(bed.core.status().alerts).toEqual([]);
    expect(bed.events('alert-raised')).toEqual([]);
  });

  it('a dual Primary that no NAME--incoming row ever explains is still a split brain, raised within seconds', async () => {
    const { bed, beat, xen1, xen3 } = await pair();
    xen3.agent.delta({ drbd: { availability: 'ok', resources: [primary('r4', 'xen1', 'Primary', 'Primary')] } });
    xen1.agent.delta({ drbd: xen1State('Primary').drbd });
    await beat(6_000);
    // raised by the heartbeat's look, not only when someone asks
    expect(bed.events('alert-raised').map((l) => l['alert'])).toEqual(['drbd-primary-on-both:r4@xen1+xen3']);
    const alerts = bed.core.status().alerts;
    expect(alerts.map((a) => a.id)).toEqual(['drbd-primary-on-both:r4@xen1+xen3']);
    expect(alerts[0]?.message).toMatch(/^DRBD resource r4 is Primary on xen1 and xen3 and no domU using it is migrating: a split brain; to choose the copy to keep: /);
    expect(bed.core.monitor.check(DEFAULT_CHECK_THRESHOLDS).status).toBe('CRITICAL');
  });

  it('a dual Primary with the domU running on both is raised at once: no migration looks like that', async () => {
    const { bed, xen1, xen3 } = await pair();
    xen3.agent.delta({ domains: [dom('web1')], drbd: { availability: 'ok', resources: [primary('r4', 'xen1', 'Primary', 'Primary')] } });
    xen1.agent.delta({ drbd: xen1State('Primary').drbd });
    await bed.clock.advance(0);
    expect(bed.core.status().alerts.map((a) => a.id)).toEqual(['drbd-primary-on-both:r4@xen1+xen3', 'running-on-two-hosts:web1']);
  });
});
