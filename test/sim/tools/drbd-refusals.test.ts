import { describe, expect, it } from 'vitest';
import { classifyDrbdStderr } from '../../../agent/parse/drbd-tool-error.js';
import { simPerTest } from '../sim-per-test.js';

// The exit codes drbdsetup's print_config_error gives a refused state change: 17 when no disk is
// UpToDate (SS_NO_UP_TO_DATE_DISK, -2), 11 for the others; drbdadm passes them on.
const fleet = (drbd: string): string => `host xen1 mem=8192 cpus=2 toolstack=xl xen=4.17.7 drbd=${drbd}
host xen2 mem=8192 cpus=2 toolstack=xl xen=4.17.7 drbd=${drbd}
domu vm1 mem=512 vcpus=1 home=xen1 peer=xen2 drbd=r0 running=xen1
`;

const startSim = simPerTest();

describe.each([
  ['8.4.11', "0: State change failed: (-2) Need access to UpToDate data\nCommand 'drbdsetup-84 primary 0' terminated with exit code 17\n", "0: State change failed: (-12) Device is held open by someone\nCommand 'drbdsetup-84 secondary 0' terminated with exit code 11\n"],
  ['9.0.32-1', "r0: State change failed: (-2) Need access to UpToDate data\nCommand 'drbdsetup primary r0' terminated with exit code 17\n", "r0: State change failed: (-12) Device is held open by someone\nCommand 'drbdsetup secondary r0' terminated with exit code 11\n"],
])('DRBD %s: refused role changes', (drbd, noUpToDate, heldOpen) => {
  it('primary without UpToDate data exits 17; secondary under a running domU exits 11', async () => {
    const sim = await startSim({ fleet: fleet(drbd) });
    sim.force('xen2 Inconsistent', (st) => {
      const r = st.drbd.r0!;
      return { ...st, drbd: { ...st.drbd, r0: { ...r, replicas: { ...r.replicas, xen2: { ...r.replicas.xen2!, disk: 'Inconsistent' as const } } } } };
    });
    const primary = await sim.run('xen2', 'drbdadm', ['primary', 'r0']);
    expect([primary.exitCode, primary.stderr]).toEqual([17, noUpToDate]);
    const secondary = await sim.run('xen1', 'drbdadm', ['secondary', 'r0']);
    expect([secondary.exitCode, secondary.stderr]).toEqual([11, heldOpen]);
  });
});

describe('no DRBD module that can be loaded (module=no)', () => {
  it.each([
    ['8.4.11', "Command 'drbdsetup-84 role 0' terminated with exit code 20\n"],
    ['9.0.32-1', "Command 'drbdsetup role r0' terminated with exit code 20\n"],
  ])('DRBD %s: drbdadm and drbdsetup say the module cannot be loaded, exit 20', async (drbd, commandLine) => {
    const sim = await startSim({ fleet: fleet(drbd).replace(/^host xen2 (.*)$/m, 'host xen2 $1 module=no') });
    const cannot = 'Could not stat /proc/drbd: No such file or directory\nMake sure that the DRBD kernel module is installed and can be loaded!\n';
    const role = await sim.run('xen2', 'drbdadm', ['role', 'r0']);
    expect([role.exitCode, role.stderr]).toEqual([20, `${cannot}${commandLine}`]);
    expect(classifyDrbdStderr(role.stderr)).toBe('module-missing');
    const status = await sim.run('xen2', 'drbdsetup', ['status']);
    expect([status.exitCode, status.stderr]).toEqual([20, cannot]);
  });
});
