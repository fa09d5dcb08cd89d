import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { drbdadmOn, simPerTest } from './sim-per-test.js';

/**
 * README.md's "A Dom0 died" runbook against the simulator's drbdadm: its first step tells a dead
 * peer from one alive by what `drbdadm cstate` and `drbdadm status` print, so those words must be
 * the ones the tools print. `drbdadm primary` is no check of its own: beside a connected Primary it
 * passes when two primaries are allowed (the sim's default, as live migration needs), which is how
 * a runbook that trusted it started a domU twice.
 */
const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const runbook = README.slice(README.indexOf('### A Dom0 died'), README.indexOf('### DRBD split brain'));
const fleet = (drbd: string): string => `option connect-delay=2000
host xen2 mem=16384 cpus=8 toolstack=xl xen=4.17.5 drbd=${drbd}
host xen3 mem=16384 cpus=8 toolstack=xl xen=4.17.5 drbd=${drbd}
domu app1 mem=2048 vcpus=2 home=xen3 peer=xen2 drbd=r5 running=xen3
`;
const startSim = simPerTest();
const drbdadm = drbdadmOn;
/** The peer's line of `drbdadm status RES`: the one after the local disk's (8.4 calls it "peer", 9 by its host). */
const peerLine = (status: string): string => status.split('\n')[2]?.trim() ?? '';

describe('the "A Dom0 died" runbook', () => {
  it('has the peer checked unconnected before any promotion, and never leans on drbdadm primary refusing', () => {
    expect(runbook).not.toMatch(/refused while the dead side is still Primary/);
    const check = runbook.indexOf('`drbdadm cstate RES`');
    expect(check).toBeGreaterThan(0);
    expect(check).toBeLessThan(runbook.indexOf('`drbdadm primary RES`'));
    for (const words of ['must not read `Connected`', '`role:Primary`', 'stop here, promote nothing', 'allow-two-primaries', 'power it off']) expect(runbook).toContain(words);
  });

  describe.each(['8.4', '9'])('on DRBD %s', (drbd) => {
    const waiting = drbd === '9' ? 'Connecting' : 'WFConnection';

    it('the peer alive and running the domU: Connected, peer role:Primary, and drbdadm primary passes (two Primaries)', async () => {
      const s = await startSim({ fleet: fleet(drbd) });
      expect(await drbdadm(s, 'xen2', 'cstate', 'r5')).toEqual([0, 'Connected\n', '']);
      const [, status] = await drbdadm(s, 'xen2', 'status', 'r5');
      expect(peerLine(status)).toBe(`${drbd === '9' ? 'xen3' : 'peer'} role:Primary`);
      expect(runbook).toContain('`Connected`');
      // what the runbook warns of: nothing refuses the promotion
      expect(await drbdadm(s, 'xen2', 'primary', 'r5')).toEqual([0, '', '']);
      expect(await drbdadm(s, 'xen2', 'role', 'r5')).toEqual([0, drbd === '9' ? 'Primary\n' : 'Primary/Primary\n', '']);
    });

    it('the peer powered off: cstate reads the waiting word the runbook names, and status shows the peer by its connection alone', async () => {
      const s = await startSim({ fleet: fleet(drbd) });
      s.power('xen3', 'off');
      await s.advance(2000);
      expect(await drbdadm(s, 'xen2', 'cstate', 'r5')).toEqual([0, `${waiting}\n`, '']);
      expect(runbook).toContain(`\`${waiting}\` (${drbd === '9' ? '9' : 'DRBD 8.4'})`);
      const [, status] = await drbdadm(s, 'xen2', 'status', 'r5');
      expect(peerLine(status)).toBe(`${drbd === '9' ? 'xen3' : 'peer'} connection:Connecting`);
      expect(peerLine(status)).not.toContain('role:');
      expect(await drbdadm(s, 'xen2', 'primary', 'r5')).toEqual([0, '', '']);
    });
  });
});
