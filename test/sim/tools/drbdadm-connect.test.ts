import { describe, expect, it } from 'vitest';
import { readFixture } from '../../fixture.js';
import { drbdadmOn, simPerTest } from '../sim-per-test.js';

/**
 * The fake `drbdadm connect` / `disconnect`, byte for byte. The lab's captures (DRBD 8.4.11,
 * drbd-utils 9.22.0) hold the silent successes and the refused disconnect of a StandAlone end;
 * the other refusals follow drbd-utils 9.22.0's drbdsetup print_config_error and the kernels'
 * drbd_adm_connect (8.4.11, 9.0.32), as tools/drbdadm-connect.ts says.
 */
const fleet = (drbd: string): string => `host xen1 mem=8192 cpus=2 toolstack=xl xen=4.17.7 drbd=${drbd}
host xen2 mem=8192 cpus=2 toolstack=xl xen=4.17.7 drbd=${drbd}
domu vm1 mem=512 vcpus=1 home=xen1 peer=xen2 drbd=r0 running=no
`;
const startSim = simPerTest();
const run = drbdadmOn;

/** the lab's capture, its addresses and port turned into the sim's (10.0.0.1 → .11, 7789 → 7788 + minor 0) */
function lab(state: string, file: string): [number, string, string] {
  const base = `real-xen-4.17/${state}/${file}`;
  const sim = (t: string): string => t.replace(/10\.0\.0\.([12]):7789/g, '10.0.0.1$1:7788');
  return [Number(readFixture(`${base}.rc`).body.trim()), sim(readFixture(`${base}.stdout`).body), sim(readFixture(`${base}.stderr`).body)];
}

describe('DRBD 8.4: as the lab captured it (states 19 to 21)', () => {
  it('disconnect and connect are silent; a StandAlone end cannot be disconnected; discard resolves', async () => {
    const s = await startSim({ fleet: fleet('8.4.11').replace(/xen1/g, 'dom0a').replace(/xen2/g, 'dom0b') });
    for (const h of ['dom0a', 'dom0b']) expect(await run(s, h, 'disconnect', 'r0')).toEqual(lab('19-split-brain', `${h}.drbdadm-disconnect-r0`));
    expect(s.drbd('r0', 'split-brain').ok).toBe(true); // the sim does not model the writes that diverged the data
    for (const h of ['dom0a', 'dom0b']) expect(await run(s, h, 'connect', 'r0')).toEqual(lab('19-split-brain', `${h}.drbdadm-connect-r0`));
    await s.advance(3000);
    for (const h of ['dom0a', 'dom0b']) expect(await run(s, h, 'cstate', 'r0')).toEqual([0, 'StandAlone\n', '']);
    expect(await run(s, 'dom0b', 'disconnect', 'r0')).toEqual(lab('21-split-brain-resolved', 'dom0b.drbdadm-disconnect-r0'));
    expect(await run(s, 'dom0b', '--', '--discard-my-data', 'connect', 'r0')).toEqual(lab('21-split-brain-resolved', 'dom0b.drbdadm-connect-discard-my-data-r0'));
    expect(await run(s, 'dom0a', 'connect', 'r0')).toEqual(lab('21-split-brain-resolved', 'dom0a.drbdadm-connect-r0'));
    await s.advance(3000);
    for (const h of ['dom0a', 'dom0b']) expect(await run(s, h, 'dstate', 'r0')).toEqual([0, 'UpToDate/UpToDate\n', '']);
  });
});

describe.each([
  {
    drbd: '8.4.11',
    connected: "r0: Failure: (102) Local address(port) already in use.\nCommand 'drbdsetup-84 connect r0 ipv4:10.0.0.11:7788 ipv4:10.0.0.12:7788 --protocol=C --allow-two-primaries=yes' terminated with exit code 10\n",
    standalone: "??: Failure: (162) Invalid configuration request\nadditional info from kernel:\nunknown connection\nCommand 'drbdsetup-84 disconnect ipv4:10.0.0.11:7788 ipv4:10.0.0.12:7788' terminated with exit code 10\n",
    primary: "r0: Failure: (123) --discard-my-data not allowed when primary.\nCommand 'drbdsetup-84 connect r0 ipv4:10.0.0.11:7788 ipv4:10.0.0.12:7788 --protocol=C --allow-two-primaries=yes --discard-my-data' terminated with exit code 10\n",
    downConnect: "r0: Failure: (158) Unknown resource\nadditional info from kernel:\nunknown resource\nCommand 'drbdsetup-84 connect r0 ipv4:10.0.0.12:7788 ipv4:10.0.0.11:7788 --protocol=C --allow-two-primaries=yes' terminated with exit code 10\n",
    downDisconnect: "??: Failure: (162) Invalid configuration request\nadditional info from kernel:\nunknown connection\nCommand 'drbdsetup-84 disconnect ipv4:10.0.0.12:7788 ipv4:10.0.0.11:7788' terminated with exit code 10\n",
    standaloneRc: 10,
  },
  {
    drbd: '9.0.32-1',
    connected: "r0: Failure: (125) Device has a net-config (use disconnect first)\nCommand 'drbdsetup connect r0 1' terminated with exit code 10\n",
    standalone: '',
    primary: "r0: Failure: (123) --discard-my-data not allowed when primary.\nCommand 'drbdsetup connect r0 1 --discard-my-data' terminated with exit code 10\n",
    downConnect: "r0: Failure: (158) Unknown resource\nadditional info from kernel:\nunknown resource\nCommand 'drbdsetup connect r0 0' terminated with exit code 10\n",
    downDisconnect: "r0: Failure: (158) Unknown resource\nadditional info from kernel:\nunknown resource\nCommand 'drbdsetup disconnect r0 0' terminated with exit code 10\n",
    standaloneRc: 0,
  },
])('DRBD $drbd: drbdadm connect/disconnect', (c) => {
  it('success is silent; the peer waits while this end is StandAlone', async () => {
    const s = await startSim({ fleet: fleet(c.drbd) });
    expect(await run(s, 'xen1', 'disconnect', 'r0')).toEqual([0, '', '']);
    expect((await run(s, 'xen1', 'cstate', 'r0'))[1]).toBe('StandAlone\n');
    expect((await run(s, 'xen2', 'cstate', 'r0'))[1]).toBe(c.drbd === '8.4.11' ? 'WFConnection\n' : 'Connecting\n');
    expect(await run(s, 'xen1', 'connect', 'r0')).toEqual([0, '', '']);
    await s.advance(2000);
    expect((await run(s, 'xen2', 'cstate', 'r0'))[1]).toBe('Connected\n');
  });

  it('refuses connect when not StandAlone, disconnect when StandAlone (8.4), discard on a Primary', async () => {
    const s = await startSim({ fleet: fleet(c.drbd) });
    expect(await run(s, 'xen1', 'connect', 'r0')).toEqual([10, '', c.connected]);
    await run(s, 'xen1', 'disconnect', 'r0');
    expect(await run(s, 'xen1', 'disconnect', 'r0')).toEqual([c.standaloneRc, '', c.standalone]);
    expect(await run(s, 'xen1', 'primary', 'r0')).toEqual([0, '', '']);
    expect(await run(s, 'xen1', 'connect', '--discard-my-data', 'r0')).toEqual([10, '', c.primary]);
    expect((await run(s, 'xen1', 'cstate', 'r0'))[1]).toBe('StandAlone\n');
  });

  it('a resource that is down, or not in the config', async () => {
    const s = await startSim({ fleet: fleet(c.drbd) });
    s.force('r0 down on xen2', (st) => {
      const r = st.drbd.r0!;
      return { ...st, drbd: { ...st.drbd, r0: { ...r, replicas: { xen1: r.replicas.xen1! }, link: 'connecting' } } };
    });
    expect(await run(s, 'xen2', 'connect', 'r0')).toEqual([10, '', c.downConnect]);
    expect(await run(s, 'xen2', 'disconnect', 'r0')).toEqual([10, '', c.downDisconnect]);
    expect(await run(s, 'xen2', 'connect', 'nosuch')).toEqual([1, '', "'nosuch' not defined in your config (for this host).\n"]);
  });

  it('no DRBD module: connect exits 20, disconnect succeeds after modprobe\'s complaint', async () => {
    const s = await startSim({ fleet: fleet(c.drbd).replace(/^host xen2 (.*)$/m, 'host xen2 $1 module=no') });
    const cannot = 'Could not stat /proc/drbd: No such file or directory\nMake sure that the DRBD kernel module is installed and can be loaded!\n';
    const [rc, , err] = await run(s, 'xen2', 'connect', 'r0');
    expect([rc, err.startsWith(cannot), err.endsWith("' terminated with exit code 20\n")]).toEqual([20, true, true]);
    expect(await run(s, 'xen2', 'disconnect', 'r0')).toEqual([0, '', cannot]);
  });
});
