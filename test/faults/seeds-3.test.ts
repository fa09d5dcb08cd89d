import { describe } from 'vitest';
import { range, seedTests } from './seed-suite.js';

// Randomized whole-fleet fault runs (test/faults/README.md), seeds 1100–1149.
describe('fault runs', () => seedTests(range(1100, 50)));
