import { describe, expect, it } from 'vitest';
import { simPerTest } from '../sim-per-test.js';

// The simulator's xenstore-read and xenstore-write print what xenstore_client.c prints: -p puts
// "PATH: " before each value, -R prints (and writes) a value as stored, unsanitised and with no
// newline after it; a pair xenstored refuses aborts the run's transaction, nothing of it written.

const startSim = simPerTest();
const FLEET = 'host xen1 mem=8192 cpus=2 toolstack=xl xen=4.17.7 drbd=8.4\n';

describe("the simulator's xenstore-read and xenstore-write options", () => {
  it('-p prints each value after its path and ": ", sanitised on its own line', async () => {
    const sim = await startSim({ fleet: FLEET });
    expect(await sim.run('xen1', 'xenstore-write', ['/a', 'one', '/b', 'two\\nlines'])).toMatchObject({ exitCode: 0 });
    expect(await sim.run('xen1', 'xenstore-read', ['-p', '/a', '/b'])).toMatchObject({ exitCode: 0, stdout: '/a: one\n/b: two\\nlines\n', stderr: '' });
    // the values before a path it cannot read, prefixed too
    expect(await sim.run('xen1', 'xenstore-read', ['/a', '-p', '/gone', '/b'])).toMatchObject({ exitCode: 1, stdout: '/a: one\n', stderr: "xenstore-read: couldn't read path /gone\n" });
  });

  it('xenstore-list -p prints each child after "KEY/", the root\'s after "//" as the released tool does; stops at a key that is no node', async () => {
    const sim = await startSim({ fleet: FLEET });
    expect(await sim.run('xen1', 'xenstore-write', ['/a/x', '1', '/a/y/z', '2'])).toMatchObject({ exitCode: 0 });
    expect(await sim.run('xen1', 'xenstore-list', ['-p', '/a'])).toMatchObject({ exitCode: 0, stdout: '/a/x\n/a/y\n', stderr: '' });
    expect((await sim.run('xen1', 'xenstore-list', ['-p', '/'])).stdout).toContain('//a\n');
    expect(await sim.run('xen1', 'xenstore-list', ['-p', '/a', '/gone', '/a/y'])).toMatchObject({ exitCode: 1, stdout: '/a/x\n/a/y\n', stderr: 'xenstore-list: could not list path /gone\n' });
  });

  it('-R prints a value as stored with no newline after it, and writes one as given', async () => {
    const sim = await startSim({ fleet: FLEET });
    expect(await sim.run('xen1', 'xenstore-write', ['/a', 'tab\\there', '/b', 'x'])).toMatchObject({ exitCode: 0 });
    expect(await sim.run('xen1', 'xenstore-read', ['-R', '/a', '/b'])).toMatchObject({ exitCode: 0, stdout: 'tab\therex' });
    expect(await sim.run('xen1', 'xenstore-read', ['-p', '-R', '/a'])).toMatchObject({ exitCode: 0, stdout: '/a: tab\there' });
    expect(await sim.run('xen1', 'xenstore-write', ['-R', '/c', 'back\\slash'])).toMatchObject({ exitCode: 0 });
    expect(await sim.run('xen1', 'xenstore-read', ['/c'])).toMatchObject({ stdout: 'back\\\\slash\n' });
    expect(await sim.run('xen1', 'xenstore-read', ['-R', '/c'])).toMatchObject({ stdout: 'back\\slash' });
    // bytes outside printable ASCII: \ooo below 010, else \xhh (of each UTF-8 byte)
    expect(await sim.run('xen1', 'xenstore-write', ['/d', '\\001é'])).toMatchObject({ exitCode: 0 });
    expect(await sim.run('xen1', 'xenstore-read', ['/d'])).toMatchObject({ stdout: '\\001\\xc3\\xa9\n' });
    expect(await sim.run('xen1', 'xenstore-read', ['-R', '/d'])).toMatchObject({ stdout: '\u0001é' });
  });

  it('a path xenstored refuses fails the whole run: "could not write path P", exit 1, not even the pairs before it written', async () => {
    const sim = await startSim({ fleet: FLEET });
    for (const bad of ['/local/domain/7//x', '/local/domain/7/x/', '/local/domain/7/a.b']) {
      expect(await sim.run('xen1', 'xenstore-write', ['/ok', '1', bad, 'v', '/after', '2'])).toMatchObject({ exitCode: 1, stdout: '', stderr: `xenstore-write: could not write path ${bad}\n` });
    }
    expect(await sim.run('xen1', 'xenstore-read', ['/ok'])).toMatchObject({ exitCode: 1 });
    expect(await sim.run('xen1', 'xenstore-read', ['/after'])).toMatchObject({ exitCode: 1 });
  });

  it('xenstored dropped mid-run: the pair the tool stood at and the abort both fail, exit 1, nothing written', async () => {
    const sim = await startSim({ fleet: FLEET });
    sim.toolFault('xen1', 'xenstore-write', { kind: 'xenstored-drop', afterPairs: 1 }, { times: 1 });
    expect(await sim.run('xen1', 'xenstore-write', ['--', '/ok', '1', '/b', '2'])).toMatchObject({ exitCode: 1, stdout: '', stderr: "xenstore-write: could not write path /b\nxenstore-write: couldn't end transaction\n" });
    sim.toolFault('xen1', 'xenstore-write', { kind: 'xenstored-drop', afterPairs: 2 }, { times: 1 });
    // past the last pair only the transaction's end fails
    expect(await sim.run('xen1', 'xenstore-write', ['--', '/ok', '1', '/b', '2'])).toMatchObject({ exitCode: 1, stderr: "xenstore-write: couldn't end transaction\n" });
    expect(await sim.run('xen1', 'xenstore-read', ['/ok'])).toMatchObject({ exitCode: 1 });
  });

  // getopt_long("hfspturn:Rd:") permutes argv: an argument starting with - is an option wherever
  // it stands, until a `--`. What glibc's getopt and xenstore_client.c's switch do with each.
  it('an argument starting with - is an option anywhere before a `--`: -h exits 0 unwritten, an unknown letter is dropped', async () => {
    const sim = await startSim({ fleet: FLEET });
    const usage = 'xenstore-write: Usage: xenstore-write [-h] [-s] [-R] key value [...]\n';
    expect(await sim.run('xen1', 'xenstore-write', ['/a', '-h'])).toMatchObject({ exitCode: 0, stderr: usage });
    expect(await sim.run('xen1', 'xenstore-read', ['/a'])).toMatchObject({ exitCode: 1 });
    // a value's letters complained of one by one and dropped: the pairs after it shift
    expect(await sim.run('xen1', 'xenstore-write', ['/a', '-xy', '/b', '/c', 'v'])).toMatchObject({ exitCode: 0, stderr: "xenstore-write: invalid option -- 'x'\nxenstore-write: invalid option -- 'y'\n" });
    expect(await sim.run('xen1', 'xenstore-read', ['/a'])).toMatchObject({ stdout: '/b\n' });
    expect(await sim.run('xen1', 'xenstore-write', ['/a', '--nope', '/b'])).toMatchObject({ exitCode: 0, stderr: "xenstore-write: unrecognized option '--nope'\n" });
    // another mode's option: the usage, exit 1
    expect(await sim.run('xen1', 'xenstore-write', ['/a', '-p'])).toMatchObject({ exitCode: 1, stderr: usage });
    // after `--` all are paths and values, and options before it still count
    expect(await sim.run('xen1', 'xenstore-write', ['-R', '--', '/c', '-h', '/d', '--raw\\n'])).toMatchObject({ exitCode: 0, stderr: '' });
    expect(await sim.run('xen1', 'xenstore-read', ['-R', '/c', '/d'])).toMatchObject({ stdout: '-h--raw\\n' });
  });
});
