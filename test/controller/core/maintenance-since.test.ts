import { describe, expect, it } from 'vitest';
import { currentMaintenanceSince, newHostRecord, noteMaintenance } from '../../../controller/fleet/host-record.js';
import type { Maintenance } from '../../../shared/protocol/agent-link-state.js';
import { hostState } from '../states.js';
import { coreBed, T0 } from './core-bed.js';

// When each Dom0 entered its maintenance state, as the controller saw it: what `check` counts a
// domU's absence from its online home from.
const state = (s: Maintenance['state']): Maintenance => (s === 'online' ? { state: s, operationId: null, owner: null } : { state: s, operationId: 'op-1', owner: 'ctl' });

describe('the maintenance transition time of each host', () => {
  it('noted when first heard and on every change of state, not on other changes', () => {
    const r0 = newHostRecord('xen1');
    expect(noteMaintenance(r0, 5)).toBe(r0);
    const r1 = noteMaintenance({ ...r0, state: hostState() }, 10);
    expect(r1.maintenanceSince).toEqual({ state: 'online', since: 10 });
    const r2 = noteMaintenance({ ...r1, state: hostState({ memory: { totalMiB: 1, freeMiB: 1 } }) }, 20);
    expect(r2.maintenanceSince).toEqual({ state: 'online', since: 10 });
    const r3 = noteMaintenance({ ...r2, state: hostState({ maintenance: state('draining') }) }, 30);
    expect(currentMaintenanceSince(r3)).toBe(30);
    // a reboot drops the report, not what was noted: the same state afterwards keeps its time
    const rebooted = noteMaintenance({ ...r3, state: null }, 40);
    expect(currentMaintenanceSince(rebooted)).toBeNull();
    expect(currentMaintenanceSince(noteMaintenance({ ...rebooted, state: hostState({ maintenance: state('draining') }) }, 50))).toBe(30);
  });

  it('the controller core keeps it through deltas and a link drop, and shows it in hosts', async () => {
    const bed = coreBed();
    const hostOf = () => bed.core.hosts().hosts[0];
    const first = await bed.online('xen1', hostState());
    expect(hostOf()).toMatchObject({ maintenance: { state: 'online' }, maintenanceSince: T0 });
    await bed.clock.advance(2_000); // within staleAfter: the fake agent sends no heartbeats
    first.agent.delta({ maintenance: state('maintenance') });
    await bed.clock.advance(0);
    expect(hostOf()).toMatchObject({ maintenance: { state: 'maintenance' }, maintenanceSince: T0 + 2_000 });
    await bed.clock.advance(2_000); // within staleAfter: the fake agent sends no heartbeats
    first.pair.drop();
    await bed.clock.advance(0);
    const again = bed.connect('xen1').agent;
    again.hello();
    again.snapshot(hostState({ maintenance: state('maintenance') }));
    await bed.clock.advance(0);
    expect(hostOf()).toMatchObject({ reachable: true, maintenanceSince: T0 + 2_000 });
    again.delta({ maintenance: state('online') });
    await bed.clock.advance(0);
    expect(hostOf()).toMatchObject({ maintenance: { state: 'online' }, maintenanceSince: T0 + 4_000 });
  });
});
