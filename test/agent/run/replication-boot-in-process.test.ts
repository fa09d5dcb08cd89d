import { afterEach, describe, expect, it } from 'vitest';
import { REPLICATION_GRACE_MS } from '../../../agent/core/replication-watch.js';
import { startFleet, type Fleet } from '../../harness/fleet.js';
import { pairFleet } from '../../harness/pair-fleet.js';

// The journal's DRBD link lines of an agent on a Dom0 that just booted: its replicas come up as
// Secondary waiting for their peers (the simulator's power on), which is no lost link. The agent
// core in this process, on the simulator's clock.

const FLEET = pairFleet({ connectDelay: 300, migrateTab: [], running: 'no', more: 'domu db1 mem=2048 vcpus=2 home=xen1 peer=xen2 drbd=r2,r3 running=xen2\n' });

let fleet: Fleet;
afterEach(async () => fleet?.stop());

const replicationLines = (f: Fleet): string[] =>
  f
    .agent('xen1')
    .logs.filter((l) => typeof l['event'] === 'string' && l['event'].startsWith('replication-'))
    .map((l) => `${l.level} ${l.msg}`);

describe('DRBD link lines after a reboot (in process)', () => {
  it('none while the replicas come up and connect; a link cut later is one warning, its return one info line', async () => {
    fleet = await startFleet(FLEET);
    fleet.sim.power('xen1', 'off');
    fleet.sim.power('xen1', 'on');
    fleet.startAgent('xen1');
    await fleet.log('xen1', (l) => l.msg === 'started web1', 'started web1');
    await fleet.advance(2 * REPLICATION_GRACE_MS);
    expect(replicationLines(fleet)).toEqual([]);
    fleet.sim.drbd('r1', 'disconnect');
    await fleet.until(() => replicationLines(fleet).length > 0, 'the cut logged');
    await fleet.advance(2 * REPLICATION_GRACE_MS);
    expect(replicationLines(fleet)).toEqual([
      '40 DRBD r1 of web1 lost its connection to xen2 (WFConnection): nothing replicates its writes until it is back; check xen2 and the network between them',
    ]);
    fleet.sim.drbd('r1', 'connect');
    await fleet.until(() => replicationLines(fleet).length > 1, 'the return logged');
    await fleet.advance(2 * REPLICATION_GRACE_MS);
    expect(replicationLines(fleet).slice(1)).toEqual(['30 DRBD r1 of web1 is connected to xen2 again: its writes replicate again (after a resync, if one runs)']);
  });
});
