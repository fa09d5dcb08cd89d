import { describe, expect, it } from 'vitest';
import { createXenstore } from '../../../agent/adapters/xenstore.js';
import { simSpawnStream, simToolRunner, SimProcesses } from '../../harness/sim-tools.js';
import { simPerTest } from '../../sim/sim-per-test.js';

// xenstore-read and xenstore-write on a Dom0 whose xenstored is down fail with
// `xenstore-read: xs_open: No such file or directory`, exit 1. The adapter passed that on raw
// ("exit code 1: xenstore-read: xs_open: …"); it now names xenstored and where to look, as the
// agent's watch and xl's same failure do. The simulator stops xenstored as a crash would.

const startSim = simPerTest();
const FLEET = 'host xen1 mem=8192 cpus=2 toolstack=xl xen=4.17.7 drbd=8.4\n';
const XENSTORED = ': cannot connect to xenstore (No such file or directory): xenstored is not running on this Dom0. See `systemctl status xenstored xencommons`';

describe('xenstore-read and xenstore-write while xenstored is down', () => {
  it('name xenstored, as xl does, and say nothing of a missing node', async () => {
    const sim = await startSim({ fleet: FLEET });
    const procs = new SimProcesses();
    const xs = createXenstore({ run: simToolRunner(sim, 'xen1', procs), spawn: simSpawnStream(sim, 'xen1', procs) });
    sim.xenstored('xen1', 'stop');
    const read = await xs.read('/local/domain/3/name');
    expect(read.ok ? null : read.error).toMatchObject({ code: 'XH_ERR_TOOL_FAILED', tool: 'xenstore-read', message: expect.stringContaining(`xenstore-read /local/domain/3/name${XENSTORED}`) });
    const write = await xs.writeAll({ '/local/domain/3/data/xenherd/dom0': 'xen1', '/local/domain/3/data/xenherd/since': 'now' });
    expect(write.ok ? null : write.error).toMatchObject({
      code: 'XH_ERR_TOOL_FAILED',
      tool: 'xenstore-write',
      message: expect.stringContaining(`xenstore-write -- /local/domain/3/data/xenherd/dom0 xen1 /local/domain/3/data/xenherd/since now${XENSTORED}`),
    });
  });
});
