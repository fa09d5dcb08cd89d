import { describe, expect, it } from 'vitest';
import { parseEvents2 } from '../../../agent/parse/events2.js';
import { reduceDrbdAll } from '../../../agent/state/drbd-reducer.js';
import { viewsFromEvents } from '../../../agent/state/drbd-view.js';
import { simPerTest } from '../sim-per-test.js';

/**
 * A DRBD 9 connection coming back, live. The 9 kernel commits Connected and the peer's role in
 * one state change (drbd_state.c: the connect transaction sets the peer's role from the reply's
 * primary_nodes), so events2 prints them on one line, as drbd-utils' own expected output
 * (tests/v9/events2-all-create-change.test) shows; 8.4 prints two (events2-84-standalone.test.ts).
 */
const FLEET = `option connect-delay=1000
host n1 mem=8192 cpus=2 toolstack=xl xen=4.17.7 drbd=9
host n2 mem=8192 cpus=2 toolstack=xl xen=4.17.7 drbd=9
domu vm1 mem=512 vcpus=1 home=n1 peer=n2 drbd=r0 running=n1
`;

const start = simPerTest();

describe('drbdsetup events2 on DRBD 9 through a reconnect', () => {
  it('prints Connected with the peer role on one line, and the agent reads it back', async () => {
    const s = await start({ fleet: FLEET });
    const live = s.start('n2', 'drbdsetup', ['events2']);
    await s.advance(0);
    const dumped = live.stdout();
    expect(s.drbd('r0', 'disconnect').ok).toBe(true);
    await s.advance(0);
    expect(s.drbd('r0', 'connect').ok).toBe(true);
    await s.advance(5_000);
    const lines = live.stdout().slice(dumped.length).split('\n');
    const connection = lines.filter((l) => l.startsWith('change connection '));
    expect(connection.at(-1)).toBe('change connection name:r0 peer-node-id:0 conn-name:n1 connection:Connected role:Primary');
    expect(connection.filter((l) => / role:/.test(l) && !/ connection:/.test(l))).toEqual([]);
    live.kill();
    await live.done;
    const parsed = parseEvents2(live.stdout());
    if (!parsed.ok) throw new Error(parsed.error.message);
    expect(viewsFromEvents(reduceDrbdAll(parsed.value), ['r0']).get('r0')).toMatchObject({ peerRole: 'Primary', connection: 'Connected', peerDisk: 'UpToDate' });
  });
});
