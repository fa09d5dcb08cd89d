import { describe, expect, it } from 'vitest';
import { processSampler } from '../../../controller/api/process-sample.js';

describe("the controller process's own sample", () => {
  it('counts garbage collection pauses from the first call on, and the longest since the previous call', async () => {
    // a sampler of its own: the /metrics one may have been started by any test before in this worker
    const processSample = processSampler();
    const first = processSample();
    expect(first.gcPauses).toBeNull();
    expect(first.eventLoopLagSeconds).toBeNull();
    let s = processSample();
    let made = 0;
    for (let round = 0; (s.gcPauses?.count ?? 0) === 0; round++) {
      if (round > 2_000) throw new Error(`no garbage collection pause was counted after ${made} objects made and dropped`);
      made += Array.from({ length: 100_000 }, (_, k) => ({ k })).length;
      // the observer hears of a pause after it, on the event loop
      await new Promise((r) => setImmediate(r));
      s = processSample();
    }
    const seen = s.gcPauses;
    expect(seen?.longestSeconds).toBeGreaterThan(0);
    expect(seen?.seconds).toBeGreaterThanOrEqual(seen?.longestSeconds ?? Infinity);
    // with no pause since, the count stays and the longest starts again from nothing
    const next = processSample().gcPauses;
    expect(next?.count).toBe(seen?.count);
    expect(next?.seconds).toBe(seen?.seconds);
    expect(next?.longestSeconds).toBe(0);
  });
});
