import { describe, expect, it } from 'vitest';
import { simPerTest } from '../sim-per-test.js';

// An events2 watcher hears every commit of the fleet and passes over those that leave its Dom0's
// view as it was: what it prints for its own resources is the same as when each commit was diffed.

const FLEET = `option connect-delay=500
host xen1 mem=8192 cpus=2 drbd=8.4
host xen2 mem=8192 cpus=2 drbd=8.4
host xen3 mem=8192 cpus=2 drbd=9
host xen4 mem=8192 cpus=2 drbd=9
domu web1 mem=512 vcpus=1 home=xen1 peer=xen2 drbd=r1 running=no
domu db1 mem=512 vcpus=1 home=xen3 peer=xen4 drbd=r2 running=no
`;

const startSim = simPerTest();

describe('drbdsetup events2 while other Dom0s change', () => {
  it('prints nothing for xenstore writes and another pair resources, then its own change alone', async () => {
    const s = await startSim({ fleet: FLEET });
    await s.advance(1000);
    const live = s.start('xen1', 'drbdsetup', ['events2']);
    await s.advance(0);
    const dumped = live.stdout().length;
    expect((await s.run('xen3', 'xenstore-write', ['/local/domain/0/x', '1'])).exitCode).toBe(0);
    expect((await s.run('xen3', 'drbdadm', ['primary', 'r2'])).exitCode).toBe(0);
    expect(s.drbd('r2', 'disconnect').ok).toBe(true);
    await s.advance(0);
    expect(live.stdout().slice(dumped)).toBe('');
    expect((await s.run('xen2', 'drbdadm', ['primary', 'r1'])).exitCode).toBe(0);
    await s.advance(0);
    expect(live.stdout().slice(dumped)).toBe('change connection name:r1 peer-node-id:0 conn-name:peer role:Primary\n');
    live.kill();
  });
});
