// One child of `npm run soak -- --only faults --jobs N`: runs every STRIDE-th seed of the range,
// starting at the INDEX-th, and writes one JSON line per seed on stdout (fault-results.ts reads
// them). Usage: node packaging/run-ts.mjs test/soak/faults-worker.ts FROM COUNT STEPS INDEX STRIDE
import { runSeed } from '../faults/run-seed.js';
import { toSeedResult } from './fault-results.js';

const [from, count, steps, index, stride] = process.argv.slice(2).map(Number) as [number, number, number, number, number];
if (![from, count, steps, index, stride].every(Number.isInteger) || stride < 1 || index < 0 || index >= stride) {
  process.stderr.write('usage: node packaging/run-ts.mjs test/soak/faults-worker.ts FROM COUNT STEPS INDEX STRIDE\n');
  process.exit(64);
}
for (let seed = from + index; seed < from + count; seed += stride) {
  const r = await runSeed(seed, { steps });
  process.stdout.write(`${JSON.stringify(toSeedResult(r))}\n`);
}
