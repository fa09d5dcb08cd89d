import { describe, expect, it } from 'vitest';
import { jobsBed, SPREAD } from './jobs-bed.js';

// A job refused before it changed anything answers its caller, and the journal keeps the refusal;
// `jobs` lists no row of it, as it lists none for a request refused before a job exists or for a
// migrate its agent refused. A row of each refusal pushed the night's drains out of the 20 kept.
const DRAIN = { kind: 'drain', host: 'xen1', maxParallel: 1, coldFallback: false, allowPartial: false, timeoutMs: null } as const;

describe('a job refused at once leaves no row among the ended jobs', () => {
  it("maintenance on refused by the agent (domUs run there): the caller's answer and the journal say so, `jobs` does not", async () => {
    const bed = await jobsBed(SPREAD);
    const on = bed.start({ kind: 'maintenance', host: 'xen1', on: true });
    expect(await bed.finish(on)).toMatchObject({ ok: false, code: 'XH_ERR_REFUSED' });
    expect(bed.core.hub.finished()).toEqual([]);
    expect(bed.logs.some((l) => l['event'] === 'operator-action-done' && l['jobId'] === on.jobId && l['code'] === 'XH_ERR_REFUSED')).toBe(true);
    // one that ran keeps its row, failed or not
    const drain = bed.start(DRAIN);
    await bed.finish(drain);
    const off = bed.start({ kind: 'maintenance', host: 'xen1', on: false });
    await bed.finish(off);
    expect(bed.core.hub.finished().map((f) => [f.jobId, f.ok])).toEqual([[off.jobId, true], [drain.jobId, true]]);
  });

  it("a drain the agent's flag refuses (another controller drains the host): no row; the other's drain keeps its own", async () => {
    const bed = await jobsBed(SPREAD);
    const other = bed.newCore('ctl-b');
    await bed.clock.advance(0);
    const a = bed.start(DRAIN);
    await bed.until(() => bed.moves(a, 'started').length === 1, 'a move');
    expect(await bed.finish(bed.start(DRAIN, other))).toMatchObject({ ok: false, code: 'XH_ERR_LOCKED', moved: 0 });
    expect(other.hub.finished()).toEqual([]);
    await bed.finish(a);
    expect(bed.core.hub.finished().map((f) => f.jobId)).toEqual([a.jobId]);
  });
});
