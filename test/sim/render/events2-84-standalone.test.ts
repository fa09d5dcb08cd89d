import { describe, expect, it } from 'vitest';
import { parseEvents2 } from '../../../agent/parse/events2.js';
import { reduceDrbdAll } from '../../../agent/state/drbd-reducer.js';
import { viewsFromEvents } from '../../../agent/state/drbd-view.js';
import { simPerTest } from '../sim-per-test.js';

/**
 * A DRBD 8.4 split brain and `drbdadm connect`, live. No lab capture holds these lines; they
 * follow the 8.4.11 kernel's order: the state change (still under the key with the peer), the
 * destroy of the peer device and the connection before the network config goes
 * (w_after_conn_state_ch), then drbd_adm_connect's create, Unconnected, Connecting.
 */
const FLEET = `option connect-delay=1000
host xen1 mem=8192 cpus=2 toolstack=xl xen=4.17.7 drbd=8.4.11
host xen2 mem=8192 cpus=2 toolstack=xl xen=4.17.7 drbd=8.4.11
domu vm1 mem=512 vcpus=1 home=xen1 peer=xen2 drbd=r0 running=xen1
`;
const K = 'name:r0 peer-node-id:0 conn-name:peer';

const startSim = simPerTest();

describe('drbdsetup events2 on DRBD 8.4 through a split brain and a reconnect', () => {
  it('prints what the kernel announces, and the agent reads one connection back, Connected', async () => {
    const s = await startSim({ fleet: FLEET });
    const live = s.start('xen2', 'drbdsetup', ['events2']);
    await s.advance(0);
    const dumped = live.stdout().length;
    expect(s.drbd('r0', 'split-brain').ok).toBe(true);
    await s.advance(0);
    const standalone = live.stdout().slice(dumped);
    expect(standalone).toBe(
      [
        `change connection ${K} connection:StandAlone role:Unknown`,
        `change peer-device ${K} volume:0 replication:Off peer-disk:DUnknown`,
        `destroy peer-device ${K} volume:0`,
        `destroy connection ${K}`,
        '',
      ].join('\n'),
    );
    // what a restarted agent reads now: the connection without conn-name (lab capture 19)
    const now = await s.run('xen2', 'drbdsetup', ['events2', '--now']);
    expect(now.stdout).toContain('exists connection name:r0 peer-node-id:0 connection:StandAlone role:Unknown\n');
    expect(s.drbd('r0', 'connect').ok).toBe(true);
    await s.advance(5_000);
    expect(live.stdout().slice(dumped + standalone.length)).toBe(
      [
        `create connection ${K} connection:StandAlone role:Unknown`,
        `create peer-device ${K} volume:0 replication:Off peer-disk:DUnknown resync-suspended:no`,
        `change connection ${K} connection:Unconnected`,
        `change connection ${K} connection:Connecting`,
        `change connection ${K} connection:Connected`,
        `change connection ${K} role:Primary`,
        `change peer-device ${K} volume:0 replication:Established peer-disk:UpToDate`,
        '',
      ].join('\n'),
    );
    live.kill();
    await live.done;
    // an agent that started during the split brain: the dump, then the reconnect
    const reconnect = live.stdout().slice(dumped + standalone.length);
    const lines = parseEvents2(now.stdout + reconnect);
    if (!lines.ok) throw new Error(lines.error.message);
    const view = viewsFromEvents(reduceDrbdAll(lines.value), ['r0']).get('r0');
    expect(view).toMatchObject({ peerRole: 'Primary', connection: 'Connected', peerDisk: 'UpToDate' });
    expect(view?.peers).toHaveLength(1);
  });
});
