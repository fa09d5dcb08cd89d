import { describe, expect, it } from 'vitest';
import { readAllFrom } from '../../../agent/adapters/xenstore-read-all.js';
import { ok } from '../../../shared/result.js';
import { answering } from '../../helpers/tool-answers.js';
import { simPerTest } from '../../sim/sim-per-test.js';

// `xenstore-read P1 P2 …` as xenstore_client.c runs it: the values in one transaction, one
// sanitised line each, and at the first node it cannot read "couldn't read path P" on stderr,
// exit 1, the values before it printed. The simulator prints the same; the reader reads past a
// missing node and takes nothing else for a value.

const startSim = simPerTest();
const FLEET = 'host xen1 mem=8192 cpus=2 toolstack=xl xen=4.17.7 drbd=8.4\n';

describe('several xenstore nodes in one xenstore-read', () => {
  it('the simulator prints what the tool prints: the values before a missing node, then its warning, exit 1', async () => {
    const sim = await startSim({ fleet: FLEET });
    expect((await sim.run('xen1', 'xenstore-write', ['/a', '1', '/b', 'two words', '/c', '']))).toMatchObject({ exitCode: 0 });
    expect(await sim.run('xen1', 'xenstore-read', ['/a', '/b', '/c'])).toMatchObject({ exitCode: 0, stdout: '1\ntwo words\n\n', stderr: '' });
    expect(await sim.run('xen1', 'xenstore-read', ['/a', '/gone', '/c'])).toMatchObject({ exitCode: 1, stdout: '1\n', stderr: "xenstore-read: couldn't read path /gone\n" });
  });

  it('are read past a missing node, each run asking only what is left, an empty value kept', async () => {
    const { run, asked } = answering([
      { stdout: '1\n', stderr: "xenstore-read: couldn't read path /gone\n", exitCode: 1 },
      { stdout: '', stderr: "xenstore-read: couldn't read path /gone2\n", exitCode: 1 },
      { stdout: 'a\\nb\n\n', stderr: '', exitCode: 0 },
    ]);
    expect(await readAllFrom(run, ['/a', '/gone', '/gone2', '/b', '/c'])).toEqual(ok(['1', null, null, 'a\nb', '']));
    expect(asked).toEqual([['/a', '/gone', '/gone2', '/b', '/c'], ['/gone2', '/b', '/c'], ['/b', '/c']]);
  });

  it('a failure, or an answer that does not fit the paths asked, is never read as values', async () => {
    const failed = await readAllFrom(answering([{ stdout: '', stderr: 'xenstore-read: couldn\'t start transaction\n', exitCode: 1 }]).run, ['/a', '/b']);
    expect(failed.ok ? null : failed.error.message).toBe("xenstore-read /a and 1 more paths: exit code 1: xenstore-read: couldn't start transaction");
    const short = await readAllFrom(answering([{ stdout: '1\n', stderr: '', exitCode: 0 }]).run, ['/a', '/b']);
    expect(short.ok ? null : short.error.message).toBe('xenstore-read /a and 1 more paths: printed 1 line for 2 paths');
    // a warning naming another path than the one after the lines printed
    const odd = await readAllFrom(answering([{ stdout: '', stderr: "xenstore-read: couldn't read path /b\n", exitCode: 1 }]).run, ['/a', '/b']);
    expect(odd.ok).toBe(false);
  });
});
