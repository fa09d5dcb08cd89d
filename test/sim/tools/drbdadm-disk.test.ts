import { describe, expect, it } from 'vitest';
import { drbdViewFor } from '../model/drbd-view.js';
import { renderProcDrbd } from '../render/proc-drbd.js';
import { drbdadmOn, simPerTest } from '../sim-per-test.js';

/**
 * A disk DRBD detached: `fault disk` (an I/O error under `on-io-error detach`) and `drbdadm
 * detach` leave the replica Diskless, its peer sees peer-disk Diskless, and `drbdadm attach`
 * brings it back (resynced from an UpToDate peer at once, as the sim's resyncs are).
 */
const fleet = (drbd: string): string => `host xen1 mem=8192 cpus=2 toolstack=xl xen=4.17.7 drbd=${drbd}
host xen2 mem=8192 cpus=2 toolstack=xl xen=4.17.7 drbd=${drbd}
domu vm1 mem=512 vcpus=1 home=xen1 peer=xen2 drbd=r0
`;
const startSim = simPerTest();
const run = drbdadmOn;

describe('DRBD 8.4: a failed disk', () => {
  it('reads Diskless here and in the peer, in every tool, and attaches again', async () => {
    const s = await startSim({ fleet: fleet('8.4.11') });
    await s.advance(3000);
    expect(await run(s, 'xen1', 'primary', 'r0')).toEqual([0, '', '']);
    expect(s.diskFail('xen1', 'r0').ok).toBe(true);
    expect(await run(s, 'xen1', 'dstate', 'r0')).toEqual([0, 'Diskless/UpToDate\n', '']);
    expect(await run(s, 'xen2', 'dstate', 'r0')).toEqual([0, 'UpToDate/Diskless\n', '']);
    expect(await run(s, 'xen1', 'status', 'r0')).toEqual([0, 'r0 role:Primary\n  disk:Diskless\n  peer role:Secondary\n    replication:Established peer-disk:UpToDate\n\n', '']);
    expect(await run(s, 'xen2', 'status', 'r0')).toEqual([0, 'r0 role:Secondary\n  disk:UpToDate\n  peer role:Primary\n    replication:Established peer-disk:Diskless\n\n', '']);
    expect(renderProcDrbd(drbdViewFor(s.state(), 'xen1')!)).toContain(' 0: cs:Connected ro:Primary/Secondary ds:Diskless/UpToDate C r-----\n');
    const events = (await s.run('xen2', 'drbdsetup', ['events2', '--now', 'r0'])).stdout;
    expect(events).toContain('exists peer-device name:r0 peer-node-id:0 conn-name:peer volume:0 replication:Established peer-disk:Diskless resync-suspended:no\n');
    // the sim's disk was replaced: attach takes it, resynced from the peer
    expect(await run(s, 'xen1', 'attach', 'r0')).toEqual([0, '', '']);
    expect(await run(s, 'xen1', 'dstate', 'r0')).toEqual([0, 'UpToDate/UpToDate\n', '']);
    expect(await run(s, 'xen1', 'attach', 'r0')).toEqual([10, '', "0: Failure: (124) Device is attached to a disk (use detach first)\nCommand 'drbdsetup-84 attach 0 /dev/vg0/r0 /dev/vg0/r0 internal' terminated with exit code 10\n"]);
  });

  it('drbdadm detach: silent on a Secondary; a Primary cut off from its peer keeps its only good disk', async () => {
    const s = await startSim({ fleet: fleet('8.4.11') });
    await s.advance(3000);
    expect(await run(s, 'xen1', 'primary', 'r0')).toEqual([0, '', '']);
    expect(await run(s, 'xen2', 'detach', 'r0')).toEqual([0, '', '']);
    expect(await run(s, 'xen2', 'dstate', 'r0')).toEqual([0, 'Diskless/UpToDate\n', '']);
    expect(s.drbd('r0', 'disconnect').ok).toBe(true);
    expect(await run(s, 'xen1', 'detach', 'r0')).toEqual([17, '', "0: State change failed: (-2) Need access to UpToDate data\nCommand 'drbdsetup-84 detach 0' terminated with exit code 17\n"]);
    // attached while alone, the disk keeps what its metadata says: not UpToDate until a resync
    expect(await run(s, 'xen2', 'attach', 'r0')).toEqual([0, '', '']);
    expect(await run(s, 'xen2', 'dstate', 'r0')).toEqual([0, 'Outdated/DUnknown\n', '']);
  });
});

describe('DRBD 9: a failed disk', () => {
  it('status and events2 in DRBD 9 words: Diskless with client:no here, peer-disk:Diskless at the peer', async () => {
    const s = await startSim({ fleet: fleet('9.0.32-1') });
    await s.advance(3000);
    expect(await run(s, 'xen1', 'primary', 'r0')).toEqual([0, '', '']);
    const watch = s.start('xen2', 'drbdsetup', ['events2', 'r0']);
    await s.advance(10);
    expect(s.diskFail('xen1', 'r0').ok).toBe(true);
    await s.advance(10);
    expect(await run(s, 'xen1', 'status', 'r0')).toEqual([0, 'r0 role:Primary\n  disk:Diskless client:no\n  xen2 role:Secondary\n    peer-disk:UpToDate\n\n', '']);
    expect(await run(s, 'xen2', 'status', 'r0')).toEqual([0, 'r0 role:Secondary\n  disk:UpToDate\n  xen1 role:Primary\n    peer-disk:Diskless peer-client:no\n\n', '']);
    const mine = (await s.run('xen1', 'drbdsetup', ['events2', '--now', 'r0'])).stdout;
    expect(mine).toContain('exists device name:r0 volume:0 minor:0 backing_dev:none disk:Diskless client:no quorum:yes\n');
    watch.kill();
    expect((await watch.done).stdout).toMatch(/\nchange peer-device name:r0 peer-node-id:0 conn-name:xen1 volume:0 peer-disk:Diskless peer-client:no\n/);
  });
});
