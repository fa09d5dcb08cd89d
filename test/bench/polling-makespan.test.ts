import { describe, expect, it } from 'vitest';
import { pollingMakespan } from './drain-bench.js';

describe('the 5 s polling loop the drain bench compares against', () => {
  it('sees a migration finish only at the next poll, and starts the next one then', () => {
    const to = (target: string, ms: number) => ({ target, ms });
    expect(pollingMakespan([to('a', 1_000)], 2)).toBe(5_000);
    expect(pollingMakespan([to('a', 1_000), to('b', 1_000), to('a', 1_000)], 2)).toBe(10_000);
    expect(pollingMakespan([to('a', 5_000), to('b', 12_000)], 2)).toBe(15_000);
    expect(pollingMakespan([], 2)).toBe(0);
  });

  it('keeps one migration into each target, as the controller does', () => {
    const to = (target: string, ms: number) => ({ target, ms });
    // both into a: one after the other although two may run in the fleet
    expect(pollingMakespan([to('a', 1_000), to('a', 1_000)], 2)).toBe(10_000);
  });
});
