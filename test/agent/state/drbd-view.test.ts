import { describe, expect, it } from 'vitest';
import { parseEvents2, parseEvents2Line } from '../../../agent/parse/events2.js';
import { reduceDrbd, reduceDrbdAll } from '../../../agent/state/drbd-reducer.js';
import { viewsFromEvents } from '../../../agent/state/drbd-view.js';
import { decideAutostart } from '../../../agent/decide/autostart.js';

const lines = (text: string) => {
  const r = parseEvents2(text);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};
const line = (text: string) => {
  const r = parseEvents2Line(text);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};

// DRBD 8.4 through drbd-utils 9 events2 (conn-name "peer"), as the simulator prints it after a reboot
const BOOT_84 = `exists resource name:r1 role:Secondary suspended:no
exists connection name:r1 peer-node-id:0 conn-name:peer connection:Connecting role:Unknown
exists device name:r1 volume:0 minor:1 disk:UpToDate
exists peer-device name:r1 peer-node-id:0 conn-name:peer volume:0 replication:Off peer-disk:DUnknown resync-suspended:no
exists -
`;

const decide = (views: ReturnType<typeof viewsFromEvents>) =>
  decideAutostart({ name: 'web1', drbdResources: ['r1'], domains: [], maintenance: false, awayTo: null, unsettled: null, fleetRunningOn: null, localHost: 'xen1', drbd: { availability: 'ok', resources: views } });

describe('resource views from the events2 reducer', () => {
  it('nothing is known before the initial dump ends: the domU is deferred', () => {
    const s = reduceDrbdAll(lines(BOOT_84).slice(0, 4));
    expect(viewsFromEvents(s, ['r1']).size).toBe(0);
    expect(decide(viewsFromEvents(s, ['r1']))).toMatchObject({ kind: 'defer', reason: 'resource-unknown' });
  });

  it('after a reboot the peer is Unknown (defer); connected as Secondary it is safe (start); Primary is a hazard (skip)', () => {
    let s = reduceDrbdAll(lines(BOOT_84));
    expect(viewsFromEvents(s, ['r1']).get('r1')).toMatchObject({ up: true, role: 'Secondary', peerRole: 'Unknown', connection: 'Connecting', disk: 'UpToDate' });
    expect(decide(viewsFromEvents(s, ['r1']))).toMatchObject({ kind: 'defer', reason: 'peer-not-connected' });
    s = reduceDrbd(s, line('change connection name:r1 peer-node-id:0 conn-name:peer connection:Connected role:Secondary'));
    s = reduceDrbd(s, line('change peer-device name:r1 peer-node-id:0 conn-name:peer volume:0 replication:Established peer-disk:UpToDate'));
    expect(decide(viewsFromEvents(s, ['r1'])).kind).toBe('start');
    s = reduceDrbd(s, line('change connection name:r1 peer-node-id:0 conn-name:peer role:Primary'));
    expect(decide(viewsFromEvents(s, ['r1']))).toMatchObject({ kind: 'skip', reason: 'peer-primary' });
  });

  it('a resource events2 does not list is not up; a stream that lost events knows nothing', () => {
    const s = reduceDrbdAll(lines(BOOT_84));
    expect(viewsFromEvents(s, ['r9']).get('r9')).toMatchObject({ up: false });
    const stale = reduceDrbd(s, line('- skipped 3'));
    expect(viewsFromEvents(stale, ['r1']).size).toBe(0);
  });

  it('a peer that was Primary stays a hazard until DRBD says otherwise, even while disconnected', () => {
    let s = reduceDrbdAll(lines(BOOT_84));
    s = reduceDrbd(s, line('change connection name:r1 peer-node-id:0 conn-name:peer connection:Connected role:Primary'));
    s = reduceDrbd(s, line('change connection name:r1 peer-node-id:0 conn-name:peer connection:Connecting'));
    expect(viewsFromEvents(s, ['r1']).get('r1')?.peerRole).toBe('Primary');
  });
});
