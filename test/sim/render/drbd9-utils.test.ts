import { expect, it } from 'vitest';
import { simPerTest } from '../sim-per-test.js';

/**
 * DRBD 9 output as the sim's one drbd-utils, 9.22.0 (the lab's), prints it: no "tls" (9.28.0 on)
 * and no "open" (9.29.0 on) in --json, status or events2. Keys in the order of 9.22.0's
 * user/v9/drbdsetup.c resource_status_json, device_status_json, connection_status_json and
 * peer_device_status_json; events2 fields from user/v9/drbdsetup_events2.c.
 */
const FLEET = `
host xen1 mem=8192 drbd=9
host xen2 mem=8192 drbd=9
domu web1 mem=512 home=xen1 peer=xen2 drbd=r1 running=xen1
`;

const startSim = simPerTest();

const keys = (o: object): string[] => Object.keys(o);

it('drbdsetup status, --json and events2 --now print what drbd-utils 9.22.0 prints', async () => {
  const s = await startSim({ fleet: FLEET });
  expect((await s.run('xen1', 'drbdsetup', ['status'])).stdout).toBe('r1 role:Primary\n  disk:UpToDate\n  xen2 role:Secondary\n    peer-disk:UpToDate\n\n');

  const [res] = JSON.parse((await s.run('xen1', 'drbdsetup', ['status', '--json'])).stdout) as [{ devices: [object]; connections: [{ peer_devices: [object] }] }];
  expect(keys(res)).toEqual(['name', 'node-id', 'role', 'suspended', 'suspended-user', 'suspended-no-data', 'suspended-fencing', 'suspended-quorum', 'force-io-failures', 'write-ordering', 'devices', 'connections']);
  expect(keys(res.devices[0])).toEqual(['volume', 'minor', 'disk-state', 'client', 'quorum', 'size', 'read', 'written', 'al-writes', 'bm-writes', 'upper-pending', 'lower-pending']);
  expect(keys(res.connections[0])).toEqual(['peer-node-id', 'name', 'connection-state', 'congested', 'peer-role', 'ap-in-flight', 'rs-in-flight', 'peer_devices']);
  expect(keys(res.connections[0].peer_devices[0])).toEqual([
    'volume', 'replication-state', 'peer-disk-state', 'peer-client', 'resync-suspended', 'received', 'sent', 'out-of-sync', 'pending', 'unacked',
    'has-sync-details', 'has-online-verify-details', 'percent-in-sync',
  ]);

  const device = (await s.run('xen1', 'drbdsetup', ['events2', '--now'])).stdout.split('\n').find((l) => l.startsWith('exists device '));
  expect(device).toBe('exists device name:r1 volume:0 minor:0 backing_dev:/dev/vg0/r1 disk:UpToDate client:no quorum:yes');
});
