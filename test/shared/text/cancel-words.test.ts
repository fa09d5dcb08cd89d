import { describe, expect, it } from 'vitest';
import { stoppingAlreadyWords } from '../../../shared/text/cancel-words.js';

// The answer to a cancel of a job already stopping, for each way it came to stop.
describe('stoppingAlreadyWords', () => {
  const AT = Date.parse('2026-12-06T07:33:10Z');

  it('a cancel asked before: by whom, when, and the moves it waits for', () => {
    const words = stoppingAlreadyWords('job-7', { reason: 'cancelled', at: AT, by: 'alice', waitsFor: [{ name: 'a1', from: 'xen1', to: 'xen2' }, { name: 'b1', from: 'xen1', to: 'xen3' }] });
    expect(words).toBe('job-7 is stopping already: its cancel was asked by alice at 07:33:10 UTC; it waits for its 2 running move(s) to finish (a1 xen1 → xen2, b1 xen1 → xen3), then ends; whoever follows it sees its end');
  });

  it('a --timeout run out, and nothing running: says so, without a cancel it never had', () => {
    expect(stoppingAlreadyWords('job-7', { reason: 'timeout', at: null, by: null, waitsFor: [] })).toBe(
      'job-7 is stopping already: it ran out of its --timeout; no move of it runs now: it ends once its last step is done; whoever follows it sees its end',
    );
  });

  it("a newer controller's reason is said by its word", () => {
    expect(stoppingAlreadyWords('job-7', { reason: 'paused', at: null, by: null, waitsFor: [] })).toMatch(/^job-7 is stopping already: it was stopped \(paused\);/);
  });
});
