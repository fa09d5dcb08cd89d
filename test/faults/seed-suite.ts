import { expect, it } from 'vitest';
import { replayCommand, runSeed, type SeedOptions } from './run-seed.js';

/** Steps per seed in `npm test`; `npm run soak -- --seeds N` runs longer ones. */
export const CI_STEPS = 10;

/**
 * Fault runs as tests: one test per seed, each failing with its violations, the command that
 * replays it, and the end of its trace.
 */
export function seedTests(seeds: readonly number[], o: SeedOptions = { steps: CI_STEPS }): void {
  for (const seed of seeds) {
    it(`seed ${seed}`, async () => {
      const r = await runSeed(seed, o);
      const report = `seed ${seed}: ${r.violations.join('; ')}\nreplay: ${replayCommand(seed, o)}\n${r.trace.slice(-40).join('\n')}`;
      expect(r.violations, report).toEqual([]);
    }, 120_000);
  }
}

export const range = (from: number, count: number): number[] => Array.from({ length: count }, (_, i) => from + i);
