import { describe, expect, it } from 'vitest';
import { createXenstore } from '../../../agent/adapters/xenstore.js';
import { writeInBatches, XENSTORE_WRITE_ARG_BYTES } from '../../../agent/adapters/xenstore-write-batches.js';
import { simSpawnStream, simToolRunner, SimProcesses } from '../../harness/sim-tools.js';
import type { Sim } from '../../sim/sim.js';
import { simPerTest } from '../../sim/sim-per-test.js';

// Many domUs' pairs in few `xenstore-write` runs, on the simulator's tool, which does what
// xenstore_client.c does (test/sim/tools/xenstore-client.test.ts): at a pair xenstored refuses,
// "could not write path P", exit 1, the run's transaction aborted, nothing of it written.

const startSim = simPerTest();
const FLEET = 'host xen1 mem=8192 cpus=2 toolstack=xl xen=4.17.7 drbd=8.4\n';
const adapter = (sim: Sim) => {
  const procs = new SimProcesses();
  return createXenstore({ run: simToolRunner(sim, 'xen1', procs), spawn: simSpawnStream(sim, 'xen1', procs) });
};
const naming = (domid: number, area = `/local/domain/${domid}/data/xenherd`) => ({
  domid,
  name: `web${domid}`,
  values: { [`${area}/dom0`]: 'xen1', [`${area}/since`]: '2026-12-06T21:00:00.000Z' },
});
const writes = (sim: Sim) => sim.commandLog.filter((c) => c.tool === 'xenstore-write');
const stored = (sim: Sim) => sim.state().xenstore['xen1'] ?? {};

describe('domUs named through few xenstore-write runs', () => {
  it('80 domUs in two runs, each under the argv bound, a domU\'s two keys always in the same run', async () => {
    const sim = await startSim({ fleet: FLEET });
    const domus = Array.from({ length: 80 }, (_, i) => naming(i + 1));
    expect(await writeInBatches(adapter(sim).writeAll, domus)).toEqual([]);
    const runs = writes(sim);
    expect(runs.length).toBe(2);
    for (const r of runs) {
      expect(r.argv.reduce((n, a) => n + Buffer.byteLength(a) + 1, 0)).toBeLessThanOrEqual(XENSTORE_WRITE_ARG_BYTES);
      expect(r.argv[0]).toBe('--');
      expect((r.argv.length - 1) % 4).toBe(0);
    }
    expect(runs.flatMap((r) => r.argv.slice(1).filter((_, i) => i % 4 === 0))).toEqual(domus.map((d) => `/local/domain/${d.domid}/data/xenherd/dom0`));
    for (const d of domus) expect(stored(sim)[`/local/domain/${d.domid}/data/xenherd/since`]).toBe('2026-12-06T21:00:00.000Z');
  });

  it('a pair xenstored refuses fails its domU alone, named; the rest of that run, aborted with it, is written by the next run', async () => {
    const sim = await startSim({ fleet: FLEET });
    // a path the agent's check lets through and xenstored refuses (a //)
    const refused = naming(3, '/local/domain/3//data/xenherd');
    const domus = [naming(1), naming(2), refused, naming(4)];
    expect(await writeInBatches(adapter(sim).writeAll, domus)).toEqual([
      { group: refused, problem: 'xenstore-write could not write /local/domain/3//data/xenherd/dom0 (xenstored refused it; the tool prints no reason)' },
    ]);
    expect(writes(sim).map((r) => [r.exitCode, (r.argv.length - 1) / 4])).toEqual([[1, 4], [0, 3]]);
    for (const id of [1, 2, 4]) expect(stored(sim)[`/local/domain/${id}/data/xenherd/dom0`]).toBe('xen1');
  });

  // xenstored dropped mid-run: the tool could not write the pair it stood at nor abort its
  // transaction. That pair's domU was blamed as refused by xenstored and the rest written again,
  // though nothing was wrong with it and nothing of the run was written.
  it('a run whose xenstored dropped mid-run fails each of its domUs alike, none blamed for it', async () => {
    const sim = await startSim({ fleet: FLEET });
    // dropped after web1's and web2's pairs and web3's first: the tool stands at web3's since
    sim.toolFault('xen1', 'xenstore-write', { kind: 'xenstored-drop', afterPairs: 5 }, { times: 1 });
    const domus = [naming(1), naming(2), naming(3), naming(4)];
    const failed = await writeInBatches(adapter(sim).writeAll, domus);
    const problem =
      'xenstore-write /local/domain/1/data/xenherd/dom0 … (the pairs of 4 domUs): xenstored went away mid-run (the tool could not write /local/domain/3/data/xenherd/since, then could not end its transaction), so nothing of the run was written';
    expect(failed).toEqual(domus.map((group) => ({ group, problem })));
    expect(writes(sim).map((r) => r.exitCode)).toEqual([1]);
  });

  it('a run that fails whole (xenstored down) fails each of its domUs, said without the run\'s whole argv; no run is tried twice', async () => {
    const sim = await startSim({ fleet: FLEET });
    sim.xenstored('xen1', 'stop');
    const domus = Array.from({ length: 80 }, (_, i) => naming(i + 1));
    const failed = await writeInBatches(adapter(sim).writeAll, domus);
    expect(failed.map((f) => f.group.domid)).toEqual(domus.map((d) => d.domid));
    expect(writes(sim).length).toBe(2);
    const [first] = failed;
    expect(first?.problem).toMatch(/^xenstore-write \/local\/domain\/1\/data\/xenherd\/dom0 … \(the pairs of \d+ domUs\): cannot connect to xenstore/);
    expect(first?.problem).not.toContain('/local/domain/2/');
  });

  // The tool reads its options with getopt, which permutes: a value starting with - was an option
  // wherever it stood. `-h` printed the usage and exited 0 with nothing written; an unknown letter
  // was dropped and the pairs after it shifted.
  it('values starting with - are stored as given: `--` ends the tool\'s options', async () => {
    const sim = await startSim({ fleet: FLEET });
    const values = { '/local/domain/1/data/xenherd/dom0': '-h', '/local/domain/1/data/xenherd/since': '-x', '/local/domain/2/data/xenherd/dom0': '--raw', '/local/domain/2/data/xenherd/since': '-' };
    expect(await adapter(sim).writeAll(values)).toEqual({ ok: true, value: undefined });
    for (const [path, value] of Object.entries(values)) expect(stored(sim)[path]).toBe(value);
  });
});
