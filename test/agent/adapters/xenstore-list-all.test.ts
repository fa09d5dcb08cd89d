import { describe, expect, it } from 'vitest';
import { createXenstore } from '../../../agent/adapters/xenstore.js';
import { listAllFrom } from '../../../agent/adapters/xenstore-list-all.js';
import { ok } from '../../../shared/result.js';
import { simSpawnStream, simToolRunner, SimProcesses } from '../../harness/sim-tools.js';
import { answering } from '../../helpers/tool-answers.js';
import { simPerTest } from '../../sim/sim-per-test.js';

// `xenstore-list -p P1 P2 …` as xenstore_client.c runs it: each path's children after "P/", in the
// order asked, and at the first path that is no node "could not list path P" on stderr, exit 1, the
// lists before it printed. The simulator prints the same.

const startSim = simPerTest();
const FLEET = 'host xen1 mem=8192 cpus=2 toolstack=xl xen=4.17.7 drbd=8.4\n';

describe('the children of several xenstore nodes in one xenstore-list', () => {
  it('the simulator prints what the tool prints, and the adapter reads each path\'s children, a missing one null', async () => {
    const sim = await startSim({ fleet: FLEET });
    expect(await sim.run('xen1', 'xenstore-write', ['/a/x', '1', '/a/y/z', '2', '/c', ''])).toMatchObject({ exitCode: 0 });
    expect(await sim.run('xen1', 'xenstore-list', ['-p', '/a', '/c', '/gone', '/a/y'])).toMatchObject({ exitCode: 1, stdout: '/a/x\n/a/y\n', stderr: 'xenstore-list: could not list path /gone\n' });
    const procs = new SimProcesses();
    const xs = createXenstore({ run: simToolRunner(sim, 'xen1', procs), spawn: simSpawnStream(sim, 'xen1', procs) });
    expect(await xs.listAll(['/a', '/c', '/gone', '/a/y'])).toEqual(ok([['x', 'y'], [], null, ['z']]));
  });

  it('are listed past a missing node, each run asking only what is left', async () => {
    const { run, asked } = answering([
      { stdout: '/a/x\n', stderr: 'xenstore-list: could not list path /gone\n', exitCode: 1 },
      { stdout: '/c/y\n/c/z\n', stderr: '', exitCode: 0 },
    ]);
    expect(await listAllFrom(run, ['/a', '/b', '/gone', '/c', '/d'])).toEqual(ok([['x'], [], null, ['y', 'z'], []]));
    expect(asked).toEqual([['/a', '/b', '/gone', '/c', '/d'], ['/c', '/d']]);
  });

  it('a line of no path asked, or out of order, or any other failure, fails the whole listing', async () => {
    for (const out of [
      { stdout: '/other/x\n', stderr: '', exitCode: 0 },
      { stdout: '/b/x\n/a/y\n', stderr: '', exitCode: 0 },
      { stdout: '', stderr: 'xenstore-list: xs_open: No such file or directory\n', exitCode: 1 },
      // a missing path the lines run past
      { stdout: '/b/x\n', stderr: 'xenstore-list: could not list path /a\n', exitCode: 1 },
    ]) {
      const { run } = answering([out]);
      expect(await listAllFrom(run, ['/a', '/b'])).toMatchObject({ ok: false, error: { tool: 'xenstore-list', message: expect.stringMatching(/^xenstore-list \/a and 1 more paths/) } });
    }
  });
});
