import { describe, expect, it } from 'vitest';
import { drbdViewFor } from '../model/drbd-view.js';
import { renderProcDrbd } from '../render/proc-drbd.js';
import { FAILED_DISK_MS } from '../daemon/sim-core.js';
import { drbdadmOn, simPerTest } from '../sim-per-test.js';

/**
 * A disk DRBD detached: `fault disk` (an I/O error under `on-io-error detach`) leaves the replica
 * Failed for FAILED_DISK_MS, then Diskless; `drbdadm detach` passes through Failed (8.4) or
 * Detaching (9) before it returns; the peer sees each state as peer-disk; and `drbdadm attach`
 * brings it back (resynced from an UpToDate peer at once, as the sim's resyncs are).
 */
const fleet = (drbd: string): string => `host xen1 mem=8192 cpus=2 toolstack=xl xen=4.17.7 drbd=${drbd}
host xen2 mem=8192 cpus=2 toolstack=xl xen=4.17.7 drbd=${drbd}
domu vm1 mem=512 vcpus=1 home=xen1 peer=xen2 drbd=r0
`;
const startSim = simPerTest();
/** the live lines of an events2 stream, after its initial dump */
const changes = (stdout: string): string[] => stdout.split('exists -\n')[1]!.split('\n').filter((l) => l !== '');
const run = drbdadmOn;

describe('DRBD 8.4: a failed disk', () => {
  it('reads Failed, then Diskless, here and in the peer, in every tool and in events2, and attaches again', async () => {
    const s = await startSim({ fleet: fleet('8.4.11') });
    await s.advance(3000);
    expect(await run(s, 'xen1', 'primary', 'r0')).toEqual([0, '', '']);
    const watch = { xen1: s.start('xen1', 'drbdsetup', ['events2', 'r0']), xen2: s.start('xen2', 'drbdsetup', ['events2', 'r0']) };
    await s.advance(10);
    expect(s.diskFail('xen1', 'r0').ok).toBe(true);
    // Failed first, in every tool, here and at the peer; attach is refused while the disk is still held
    expect(await run(s, 'xen1', 'dstate', 'r0')).toEqual([0, 'Failed/UpToDate\n', '']);
    expect(await run(s, 'xen2', 'dstate', 'r0')).toEqual([0, 'UpToDate/Failed\n', '']);
    expect(await run(s, 'xen1', 'status', 'r0')).toEqual([0, 'r0 role:Primary\n  disk:Failed\n  peer role:Secondary\n    replication:Established peer-disk:UpToDate\n\n', '']);
    expect(await run(s, 'xen2', 'status', 'r0')).toEqual([0, 'r0 role:Secondary\n  disk:UpToDate\n  peer role:Primary\n    replication:Established peer-disk:Failed\n\n', '']);
    expect(renderProcDrbd(drbdViewFor(s.state(), 'xen1')!)).toContain(' 0: cs:Connected ro:Primary/Secondary ds:Failed/UpToDate C r-----\n');
    expect((await run(s, 'xen1', 'attach', 'r0'))[0]).toBe(10);
    await s.advance(FAILED_DISK_MS);
    expect(await run(s, 'xen1', 'dstate', 'r0')).toEqual([0, 'Diskless/UpToDate\n', '']);
    expect(await run(s, 'xen2', 'dstate', 'r0')).toEqual([0, 'UpToDate/Diskless\n', '']);
    expect(await run(s, 'xen1', 'status', 'r0')).toEqual([0, 'r0 role:Primary\n  disk:Diskless\n  peer role:Secondary\n    replication:Established peer-disk:UpToDate\n\n', '']);
    expect(await run(s, 'xen2', 'status', 'r0')).toEqual([0, 'r0 role:Secondary\n  disk:UpToDate\n  peer role:Primary\n    replication:Established peer-disk:Diskless\n\n', '']);
    expect(renderProcDrbd(drbdViewFor(s.state(), 'xen1')!)).toContain(' 0: cs:Connected ro:Primary/Secondary ds:Diskless/UpToDate C r-----\n');
    const events = (await s.run('xen2', 'drbdsetup', ['events2', '--now', 'r0'])).stdout;
    expect(events).toContain('exists peer-device name:r0 peer-node-id:0 conn-name:peer volume:0 replication:Established peer-disk:Diskless resync-suspended:no\n');
    watch.xen1.kill();
    watch.xen2.kill();
    expect(changes((await watch.xen1.done).stdout)).toEqual(['change device name:r0 volume:0 minor:0 disk:Failed', 'change device name:r0 volume:0 minor:0 disk:Diskless']);
    expect(changes((await watch.xen2.done).stdout)).toEqual(['change peer-device name:r0 peer-node-id:0 conn-name:peer volume:0 peer-disk:Failed', 'change peer-device name:r0 peer-node-id:0 conn-name:peer volume:0 peer-disk:Diskless']);
    // the sim's disk was replaced: attach takes it, resynced from the peer
    expect(await run(s, 'xen1', 'attach', 'r0')).toEqual([0, '', '']);
    expect(await run(s, 'xen1', 'dstate', 'r0')).toEqual([0, 'UpToDate/UpToDate\n', '']);
    expect(await run(s, 'xen1', 'attach', 'r0')).toEqual([10, '', "0: Failure: (124) Device is attached to a disk (use detach first)\nCommand 'drbdsetup-84 attach 0 /dev/vg0/r0 /dev/vg0/r0 internal' terminated with exit code 10\n"]);
  });

  it('drbdadm detach: silent on a Secondary; a Primary cut off from its peer keeps its only good disk', async () => {
    const s = await startSim({ fleet: fleet('8.4.11') });
    await s.advance(3000);
    expect(await run(s, 'xen1', 'primary', 'r0')).toEqual([0, '', '']);
    const watch = s.start('xen1', 'drbdsetup', ['events2', 'r0']);
    await s.advance(10);
    // 8.4's detach passes through Failed too, and returns once Diskless
    expect(await run(s, 'xen2', 'detach', 'r0')).toEqual([0, '', '']);
    expect(await run(s, 'xen2', 'dstate', 'r0')).toEqual([0, 'Diskless/UpToDate\n', '']);
    watch.kill();
    expect(changes((await watch.done).stdout)).toEqual(['change peer-device name:r0 peer-node-id:0 conn-name:peer volume:0 peer-disk:Failed', 'change peer-device name:r0 peer-node-id:0 conn-name:peer volume:0 peer-disk:Diskless']);
    expect(s.drbd('r0', 'disconnect').ok).toBe(true);
    expect(await run(s, 'xen1', 'detach', 'r0')).toEqual([17, '', "0: State change failed: (-2) Need access to UpToDate data\nCommand 'drbdsetup-84 detach 0' terminated with exit code 17\n"]);
    // attached while alone, the disk keeps what its metadata says: not UpToDate until a resync
    expect(await run(s, 'xen2', 'attach', 'r0')).toEqual([0, '', '']);
    expect(await run(s, 'xen2', 'dstate', 'r0')).toEqual([0, 'Outdated/DUnknown\n', '']);
  });
});

describe('DRBD 9: a failed disk', () => {
  it('status and events2 in DRBD 9 words: Failed, then Diskless with client:no here; peer-disk:Failed, then Diskless at the peer', async () => {
    const s = await startSim({ fleet: fleet('9.0.32-1') });
    await s.advance(3000);
    expect(await run(s, 'xen1', 'primary', 'r0')).toEqual([0, '', '']);
    const watch = { xen1: s.start('xen1', 'drbdsetup', ['events2', 'r0']), xen2: s.start('xen2', 'drbdsetup', ['events2', 'r0']) };
    await s.advance(10);
    expect(s.diskFail('xen1', 'r0').ok).toBe(true);
    await s.advance(10);
    expect(await run(s, 'xen1', 'status', 'r0')).toEqual([0, 'r0 role:Primary\n  disk:Failed\n  xen2 role:Secondary\n    peer-disk:UpToDate\n\n', '']);
    expect(await run(s, 'xen2', 'status', 'r0')).toEqual([0, 'r0 role:Secondary\n  disk:UpToDate\n  xen1 role:Primary\n    peer-disk:Failed\n\n', '']);
    expect(await run(s, 'xen1', 'dstate', 'r0')).toEqual([0, 'Failed/UpToDate\n', '']);
    await s.advance(FAILED_DISK_MS);
    expect(await run(s, 'xen1', 'status', 'r0')).toEqual([0, 'r0 role:Primary\n  disk:Diskless client:no\n  xen2 role:Secondary\n    peer-disk:UpToDate\n\n', '']);
    expect(await run(s, 'xen2', 'status', 'r0')).toEqual([0, 'r0 role:Secondary\n  disk:UpToDate\n  xen1 role:Primary\n    peer-disk:Diskless peer-client:no\n\n', '']);
    const mine = (await s.run('xen1', 'drbdsetup', ['events2', '--now', 'r0'])).stdout;
    expect(mine).toContain('exists device name:r0 volume:0 minor:0 backing_dev:none disk:Diskless client:no quorum:yes\n');
    watch.xen1.kill();
    watch.xen2.kill();
    // the disk is still held while Failed (its backing device named); the promotion score follows each state
    expect(changes((await watch.xen1.done).stdout)).toEqual([
      'change resource name:r0 may_promote:no promotion_score:1',
      'change device name:r0 volume:0 minor:0 backing_dev:/dev/vg0/r0 disk:Failed client:no quorum:yes',
      'change device name:r0 volume:0 minor:0 backing_dev:none disk:Diskless client:no quorum:yes',
    ]);
    expect(changes((await watch.xen2.done).stdout)).toEqual([
      'change resource name:r0 may_promote:no promotion_score:10101',
      'change peer-device name:r0 peer-node-id:0 conn-name:xen1 volume:0 peer-disk:Failed peer-client:no',
      'change peer-device name:r0 peer-node-id:0 conn-name:xen1 volume:0 peer-disk:Diskless peer-client:no',
    ]);
  });

  it('drbdadm detach passes through Detaching (9 has its own word for a detach asked for), and returns once Diskless', async () => {
    const s = await startSim({ fleet: fleet('9.0.32-1') });
    await s.advance(3000);
    const watch = s.start('xen1', 'drbdsetup', ['events2', 'r0']);
    await s.advance(10);
    expect(await run(s, 'xen2', 'detach', 'r0')).toEqual([0, '', '']);
    expect(await run(s, 'xen2', 'dstate', 'r0')).toEqual([0, 'Diskless/UpToDate\n', '']);
    watch.kill();
    expect(changes((await watch.done).stdout).filter((l) => l.startsWith('change peer-device'))).toEqual([
      'change peer-device name:r0 peer-node-id:1 conn-name:xen2 volume:0 peer-disk:Detaching peer-client:no',
      'change peer-device name:r0 peer-node-id:1 conn-name:xen2 volume:0 peer-disk:Diskless peer-client:no',
    ]);
  });
});
