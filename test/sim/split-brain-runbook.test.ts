import { describe, expect, it } from 'vitest';
import { drbdadmOn, simPerTest } from './sim-per-test.js';

/**
 * README.md's "DRBD split brain" runbook, followed on the deterministic simulator with its fake
 * tools only: xen1 (runs web1, Primary) survives, xen2 is the victim.
 */
const fleet = (drbd: string): string => `option connect-delay=2000
host xen1 mem=16384 cpus=8 toolstack=xl xen=4.17.5 drbd=${drbd}
host xen2 mem=16384 cpus=8 toolstack=xl xen=4.17.5 drbd=${drbd}
domu web1 mem=2048 vcpus=2 home=xen1 peer=xen2 drbd=r1 running=xen1
`;
const startSim = simPerTest();
const drbdadm = drbdadmOn;
const ok = (stdout = ''): [number, string, string] => [0, stdout, ''];

describe.each(['8.4', '9'])('DRBD %s: the split-brain runbook', (drbd) => {
  it('victim Secondary, connect --discard-my-data; survivor connect; both UpToDate and Connected', async () => {
    const s = await startSim({ fleet: fleet(drbd) });
    expect(s.drbd('r1', 'split-brain').ok).toBe(true);
    for (const h of ['xen1', 'xen2']) expect(await drbdadm(s, h, 'cstate', 'r1')).toEqual(ok('StandAlone\n'));
    expect(await drbdadm(s, 'xen2', 'secondary', 'r1')).toEqual(ok()); // step 1 (web1 does not run on xen2)
    expect(await drbdadm(s, 'xen2', 'connect', '--discard-my-data', 'r1')).toEqual(ok()); // step 2
    expect(await drbdadm(s, 'xen1', 'connect', 'r1')).toEqual(ok()); // step 3
    await s.advance(2000); // step 4: wait
    for (const h of ['xen1', 'xen2']) {
      expect(await drbdadm(s, h, 'dstate', 'r1')).toEqual(ok('UpToDate/UpToDate\n'));
      expect(await drbdadm(s, h, 'cstate', 'r1')).toEqual(ok('Connected\n'));
    }
    expect(await drbdadm(s, 'xen2', 'role', 'r1')).toEqual(ok(drbd === '9' ? 'Secondary\n' : 'Secondary/Primary\n'));
    expect(s.state().drbd.r1).toMatchObject({ diverged: false, standalone: [], discardMyData: [] });
    expect(s.violations).toEqual([]);
  });

  it('both connect without discarding: they meet, and both are StandAlone again', async () => {
    const s = await startSim({ fleet: fleet(drbd) });
    s.drbd('r1', 'split-brain');
    for (const h of ['xen1', 'xen2']) expect(await drbdadm(s, h, 'connect', 'r1')).toEqual(ok());
    const waiting = drbd === '9' ? 'Connecting\n' : 'WFConnection\n';
    expect(await drbdadm(s, 'xen1', 'cstate', 'r1')).toEqual(ok(waiting));
    await s.advance(2000);
    for (const h of ['xen1', 'xen2']) expect(await drbdadm(s, h, 'cstate', 'r1')).toEqual(ok('StandAlone\n'));
    // and the runbook still works from there
    await drbdadm(s, 'xen2', 'connect', '--discard-my-data', 'r1');
    await drbdadm(s, 'xen1', 'connect', 'r1');
    await s.advance(2000);
    for (const h of ['xen1', 'xen2']) expect(await drbdadm(s, h, 'dstate', 'r1')).toEqual(ok('UpToDate/UpToDate\n'));
  });

  // the playground connected such a pair again, Primary/Primary and Connected, after both had taken
  // writes: the split brain an operator meets after a partition could not be staged
  it('a partition healing after both ends were Primary: the handshake finds a split brain, and the runbook resolves it', async () => {
    const s = await startSim({ fleet: fleet(drbd) });
    expect(s.drbd('r1', 'disconnect').ok).toBe(true);
    expect(await drbdadm(s, 'xen2', 'primary', 'r1')).toEqual(ok()); // web1 started on xen2 too
    expect(s.drbd('r1', 'connect').ok).toBe(true);
    await s.advance(2000);
    for (const h of ['xen1', 'xen2']) expect(await drbdadm(s, h, 'cstate', 'r1')).toEqual(ok('StandAlone\n'));
    expect(await drbdadm(s, 'xen2', 'secondary', 'r1')).toEqual(ok());
    expect(await drbdadm(s, 'xen2', 'connect', '--discard-my-data', 'r1')).toEqual(ok());
    expect(await drbdadm(s, 'xen1', 'connect', 'r1')).toEqual(ok());
    await s.advance(2000);
    for (const h of ['xen1', 'xen2']) expect(await drbdadm(s, h, 'cstate', 'r1')).toEqual(ok('Connected\n'));
    expect(s.state().drbd.r1).toMatchObject({ diverged: false, primaryApart: [] });
  });

  it('only one end Primary while apart (the peer Secondary, or a Dom0 powered off): it connects, no split brain', async () => {
    const s = await startSim({ fleet: fleet(drbd) });
    s.drbd('r1', 'disconnect');
    s.drbd('r1', 'connect');
    await s.advance(2000);
    expect(await drbdadm(s, 'xen2', 'cstate', 'r1')).toEqual(ok('Connected\n'));
    expect(s.power('xen1', 'off').ok).toBe(true);
    expect(await drbdadm(s, 'xen2', 'primary', 'r1')).toEqual(ok()); // the dead Dom0's runbook
    expect(s.power('xen1', 'on').ok).toBe(true);
    await s.advance(2000);
    expect(await drbdadm(s, 'xen2', 'cstate', 'r1')).toEqual(ok('Connected\n'));
  });

  it('the victim still Primary cannot discard its data: refused, it stays StandAlone', async () => {
    const s = await startSim({ fleet: fleet(drbd) });
    s.drbd('r1', 'split-brain');
    const [rc, , err] = await drbdadm(s, 'xen1', 'connect', '--discard-my-data', 'r1');
    expect([rc, err.split('\n')[0]]).toEqual([10, 'r1: Failure: (123) --discard-my-data not allowed when primary.']);
    expect(await drbdadm(s, 'xen1', 'cstate', 'r1')).toEqual(ok('StandAlone\n'));
  });
});
