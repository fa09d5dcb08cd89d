import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseEvents2 } from '../../../agent/parse/events2.js';
import { simPerTest } from '../sim-per-test.js';

/**
 * DRBD 9 paths in `drbdsetup events2`, as drbd-utils 9.22.0 prints them (user/v9/drbdsetup_events2.c
 * print_path_changes; the format of its tests/v9/events2-all-create-change.test) from what the
 * drbd-9.0.32-1 kernel sends: paths in the initial dump (drbd_nl.c get_initial_state), a path
 * established before its connection's handshake and no longer after the connection went down
 * (drbd_transport_tcp.c). Node ids and addresses are the `.res` file's.
 */
const FLEET = `option connect-delay=1000
host n1 mem=8192 cpus=2 toolstack=xl xen=4.17.7 drbd=9
host n2 mem=8192 cpus=2 toolstack=xl xen=4.17.7 drbd=9
domu vm1 mem=512 vcpus=1 home=n1 peer=n2 drbd=r0 running=n1
domu vm2 mem=512 vcpus=1 home=n2 peer=n1 drbd=r1 running=n2
`;

const start = simPerTest();

const PATH_R0 = 'path name:r0 peer-node-id:0 conn-name:n1 local:ipv4:10.0.0.12:7788 peer:ipv4:10.0.0.11:7788';

describe('drbdsetup events2 on DRBD 9: paths', () => {
  it('lists each connection\'s path in the dump, with the .res file\'s node ids and addresses', async () => {
    const s = await start({ fleet: FLEET });
    const res = readFileSync(join(s.hostRoot('n2'), 'etc/drbd.d/r1.res'), 'utf8');
    expect(res).toContain('  on n2 {\n    node-id 0;\n    address 10.0.0.12:7789;');
    expect(res).toContain('  on n1 {\n    node-id 1;\n    address 10.0.0.11:7789;');
    const dump = (await s.run('n2', 'drbdsetup', ['events2', '--now'])).stdout.split('\n');
    expect(dump.filter((l) => / (path|connection) name:r1 /.test(l))).toEqual([
      'exists connection name:r1 peer-node-id:1 conn-name:n1 connection:Connected role:Secondary',
      'exists path name:r1 peer-node-id:1 conn-name:n1 local:ipv4:10.0.0.12:7789 peer:ipv4:10.0.0.11:7789 established:yes',
    ]);
    // print_changes: the resource, its connections, devices, then the connection's peer devices and paths
    expect(dump.filter((l) => / name:r0 /.test(l)).map((l) => l.split(' ')[1])).toEqual(['resource', 'connection', 'device', 'peer-device', 'path']);
    const n1 = JSON.parse((await s.run('n1', 'drbdsetup', ['status', '--json', 'r1'])).stdout) as [{ 'node-id': number; connections: [{ 'peer-node-id': number }] }];
    expect([n1[0]['node-id'], n1[0].connections[0]['peer-node-id']]).toEqual([1, 0]);
    // drbdsetup status (and drbdadm status, which runs it) prints no paths in 9.22.0: connection_status
    expect((await s.run('n2', 'drbdadm', ['status', 'r0'])).stdout).not.toContain('10.0.0.');
  });

  it('announces a path up before the connection is Connected and down after it left Connected', async () => {
    const s = await start({ fleet: FLEET });
    const live = s.start('n2', 'drbdsetup', ['events2']);
    await s.advance(0);
    const dumped = live.stdout().length;
    s.power('n1', 'off');
    await s.advance(0);
    s.power('n1', 'on');
    await s.advance(5_000);
    live.kill();
    await live.done;
    const r0 = live.stdout().slice(dumped).split('\n').filter((l) => / (path|connection) name:r0 /.test(l));
    expect(r0).toEqual([
      'change connection name:r0 peer-node-id:0 conn-name:n1 connection:NetworkFailure role:Unknown',
      `change ${PATH_R0} established:no`,
      'change connection name:r0 peer-node-id:0 conn-name:n1 connection:Unconnected',
      'change connection name:r0 peer-node-id:0 conn-name:n1 connection:Connecting',
      `change ${PATH_R0} established:yes`,
      'change connection name:r0 peer-node-id:0 conn-name:n1 connection:Connected role:Secondary',
    ]);
    const parsed = parseEvents2(live.stdout());
    if (!parsed.ok) throw new Error(parsed.error.message);
    expect(parsed.value.filter((e) => e.kind === 'event' && e.object === 'path')).toHaveLength(2 + 4);
  });

  it('keeps a StandAlone connection\'s path, not established', async () => {
    const s = await start({ fleet: FLEET });
    expect(s.drbd('r0', 'split-brain').ok).toBe(true);
    const dump = (await s.run('n2', 'drbdsetup', ['events2', '--now'])).stdout;
    expect(dump).toContain('exists connection name:r0 peer-node-id:0 conn-name:n1 connection:StandAlone role:Unknown\n');
    expect(dump).toContain(`exists ${PATH_R0} established:no\n`);
  });
});
