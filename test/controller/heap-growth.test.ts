import { describe, expect, it } from 'vitest';
import { heapGrowthGiven } from '../../controller/heap-growth.js';

describe('the controller heap growth limit', () => {
  it('is left to the operator when Node was given a growing factor, in either spelling, on its command line or in NODE_OPTIONS', () => {
    expect(heapGrowthGiven([], undefined)).toBe(false);
    expect(heapGrowthGiven(['--max-old-space-size=512', '--require', 'x.cjs'], '--trace-gc')).toBe(false);
    expect(heapGrowthGiven(['--heap-growing-percent=300'], undefined)).toBe(true);
    expect(heapGrowthGiven(['--heap_growing_percent=30'], undefined)).toBe(true);
    expect(heapGrowthGiven([], '--max-old-space-size=512  --heap-growing-percent=50')).toBe(true);
    expect(heapGrowthGiven(['--heap-growing-percentage=5'], '')).toBe(false);
  });
});
