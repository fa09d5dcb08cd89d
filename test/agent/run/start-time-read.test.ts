import { describe, expect, it } from 'vitest';
import { createXenstore } from '../../../agent/adapters/xenstore.js';
import { readXenStartTimes } from '../../../agent/run/start-time-read.js';
import { simSpawnStream, simToolRunner, SimProcesses } from '../../harness/sim-tools.js';
import type { Sim } from '../../sim/sim.js';
import { simPerTest } from '../../sim/sim-per-test.js';
import { uuidFor } from '../../sim/model/uuid.js';

// Domains' start_time found through their /vm paths, on the simulator's xenstore (what
// xenstore-read prints there is what the real tool prints: test/agent/adapters/xenstore-read-all.test.ts).

const startSim = simPerTest();
const FLEET = `host xen1 mem=16384 cpus=4 toolstack=xl xen=4.17.7 drbd=8.4
domu web1 mem=512 vcpus=1 home=xen1 running=xen1
domu web2 mem=512 vcpus=1 home=xen1 running=xen1
domu web3 mem=512 vcpus=1 home=xen1 running=xen1
`;
const domidOf = (sim: Sim, name: string): number => sim.state().domains.find((d) => d.name === name)?.domid ?? -1;
const adapter = (sim: Sim) => {
  const procs = new SimProcesses();
  return createXenstore({ run: simToolRunner(sim, 'xen1', procs), spawn: simSpawnStream(sim, 'xen1', procs) });
};
const reads = (sim: Sim) => sim.commandLog.filter((c) => c.tool === 'xenstore-read').map((c) => c.argv.length);
const startTime = (sim: Sim, name: string) => sim.state().xenstore['xen1']?.[`/vm/${uuidFor(name)}/start_time`];
const setNode = (sim: Sim, path: string, value: string | null) =>
  sim.force(`xenstore ${path}`, (s) => {
    const { [path]: _gone, ...rest } = s.xenstore['xen1'] ?? {};
    return { ...s, xenstore: { ...s.xenstore, xen1: value === null ? rest : { ...rest, [path]: value } } };
  });

describe("domains' start_time read", () => {
  it('follows each /vm path to start_time: every domain in two xenstore-reads, not two each', async () => {
    const sim = await startSim({ fleet: FLEET });
    const ids = ['web1', 'web2', 'web3'].map((n) => domidOf(sim, n));
    const got = await readXenStartTimes(adapter(sim), ids);
    expect([...got]).toEqual(ids.map((id, i) => [id, { value: startTime(sim, `web${i + 1}`), problem: null }]));
    expect(reads(sim)).toEqual([3, 3]);
  });

  it('a domain gone (no /vm path) or without start_time is not known, nothing wrong, and the others are read past it', async () => {
    const sim = await startSim({ fleet: FLEET });
    const [a, b, c] = ['web1', 'web2', 'web3'].map((n) => domidOf(sim, n));
    setNode(sim, `/vm/${uuidFor('web3')}/start_time`, null);
    const got = await readXenStartTimes(adapter(sim), [a ?? -1, 99, b ?? -1, c ?? -1]);
    expect(got.get(99)).toEqual({ value: null, problem: null });
    expect(got.get(c ?? -1)).toEqual({ value: null, problem: null });
    expect(got.get(b ?? -1)).toEqual({ value: startTime(sim, 'web2'), problem: null });
    // the tool stops at the first node it cannot read: the rest asked again
    expect(reads(sim)).toEqual([4, 2, 3]);
  });

  it('a /vm path that is not /vm/<uuid> is not followed, and says what it is', async () => {
    const sim = await startSim({ fleet: FLEET });
    const a = domidOf(sim, 'web1');
    setNode(sim, `/local/domain/${a}/vm`, '/local/domain/0');
    expect((await readXenStartTimes(adapter(sim), [a])).get(a)).toEqual({ value: null, problem: 'its /vm path in xenstore is "/local/domain/0", not /vm/<uuid>' });
  });

  it('a failed read is the problem of every domain it asked for', async () => {
    const sim = await startSim({ fleet: FLEET });
    const ids = ['web1', 'web2'].map((n) => domidOf(sim, n));
    sim.xenstored('xen1', 'stop');
    const got = await readXenStartTimes(adapter(sim), ids);
    expect([...got.values()].map((r) => [r.value, r.problem])).toEqual(ids.map(() => [null, expect.stringMatching(/^xenstore-read \/local\/domain\/\d+\/vm and 1 more paths: cannot connect to xenstore/)]));
  });
});
