import { describe, expect, it } from 'vitest';
import type { JobEvent, JobRequest, Plan } from '../../../shared/protocol/ctl-jobs.js';
import type { SimSpec } from './sim-fleet.js';
import { jobsBed } from './jobs-bed.js';

// Two drains asked together (xen1 and xen2, the second before the first's flag is reported):
// neither may send a domU to the other, which is being emptied too. Each domU could go to
// either other Dom0 (three-node DRBD), and the other drained Dom0 has the most room, so a plan
// blind to the other drain would pick it.
const drain = (host: string): JobRequest => ({ kind: 'drain', host, maxParallel: null, coldFallback: false, allowPartial: false, timeoutMs: null });
const all = ['xen1', 'xen2', 'xen3'];
const SPEC: SimSpec = {
  hosts: [{ name: 'xen1', totalMiB: 65_536 }, { name: 'xen2', totalMiB: 65_536 }, { name: 'xen3', totalMiB: 32_768 }],
  domus: [
    { name: 'a1', home: 'xen1', replicas: all, memMiB: 2048 },
    { name: 'a2', home: 'xen1', replicas: all, memMiB: 1024 },
    { name: 'b1', home: 'xen2', replicas: all, memMiB: 2048 },
    { name: 'b2', home: 'xen2', replicas: all, memMiB: 1024 },
  ],
};
const targets = (p: Plan | undefined): string[] => (p !== undefined && 'sets' in p ? p.sets.flat().map((m) => `${m.name}>${m.to}`) : []);
const planOf = (events: readonly JobEvent[]): Plan | undefined => events.find((e): e is Extract<JobEvent, { type: 'plan' }> => e.type === 'plan')?.plan;

describe('two drains at once', () => {
  it('neither plans, dry run or real, nor moves a domU to the other drained Dom0', async () => {
    const bed = await jobsBed(SPEC);
    // alone, xen2 (the roomiest) is where xen1's domUs would go: the case is a real one
    const alone = await bed.core.hub.plan({ kind: 'drain', hosts: ['xen1'] });
    expect(alone.ok && targets(alone.value)).toEqual(['a1>xen2', 'a2>xen2']);
    const j1 = bed.start(drain('xen1'));
    // the dry run of xen2 asked while xen1's drain runs, before any agent reported xen1 draining
    const dry = await bed.core.hub.plan({ kind: 'drain', hosts: ['xen2'] });
    expect(dry.ok && targets(dry.value)).toEqual(['b1>xen3', 'b2>xen3']);
    const j2 = bed.start(drain('xen2'));
    expect(targets(planOf(j2.events))).toEqual(['b1>xen3', 'b2>xen3']);
    // xen1's plan was made before xen2's drain was asked; asked again now, it keeps off xen2
    const dryAgain = await bed.core.hub.plan({ kind: 'drain', hosts: ['xen1'] });
    expect(dryAgain.ok && targets(dryAgain.value)).toEqual(['a1>xen3', 'a2>xen3']);
    const [e1, e2] = [await bed.finish(j1), await bed.finish(j2)];
    expect([e1.ok, e2.ok]).toEqual([true, true]);
    // the executor agrees with the plans: every move went to xen3
    expect([...bed.moves(j1, 'moved'), ...bed.moves(j2, 'moved')].map((m) => m.to)).toEqual(['xen3', 'xen3', 'xen3', 'xen3']);
    expect(['a1', 'a2', 'b1', 'b2'].map((n) => bed.fleet.where(n))).toEqual([['xen3'], ['xen3'], ['xen3'], ['xen3']]);
    bed.neverTwice();
  });

  it('a drain asked while the other is still queued (behind its own stopped run) keeps off that host too', async () => {
    const bed = await jobsBed(SPEC);
    const first = bed.start(drain('xen2'));
    bed.core.hub.cancel(first.jobId, 'admin');
    const again = bed.start(drain('xen2'));
    const j1 = bed.start(drain('xen1'));
    expect(targets(planOf(j1.events))).toEqual(['a1>xen3', 'a2>xen3']);
    await bed.finish(first);
    await bed.finish(again);
    const e1 = await bed.finish(j1);
    expect(e1.ok).toBe(true);
    expect(bed.moves(j1, 'moved').map((m) => m.to)).toEqual(['xen3', 'xen3']);
  });
});
