// Randomized whole-fleet fault runs by the thousand (test/faults/): every seed's promises checked,
// each failing seed printed with the command that replays it. With --jobs N the seeds run in N
// child processes; results are printed in seed order either way, so the output is the same.
import { replayCommand, runSeed } from '../faults/run-seed.js';
import { say } from '../bench/table.js';
import { runInChildren, toSeedResult, type SeedResult } from './fault-results.js';
import type { Section } from './section.js';

export const soakFaults: Section = async ({ rows, seeds }) => {
  const { count, from, steps, jobs } = seeds;
  say(`faults: ${count} seeds from ${from}, ${steps} steps each${jobs > 1 ? ` (${jobs} child processes)` : ''}`);
  const faults: Record<string, number> = {};
  const failing: number[] = [];
  let alarms = 0;
  let violations = 0;
  let next = from;
  const waiting = new Map<number, SeedResult>();
  const take = (r: SeedResult): void => {
    for (const [k, n] of Object.entries(r.faults)) faults[k] = (faults[k] ?? 0) + n;
    alarms += r.alarms;
    if (r.violations.length > 0) {
      violations += r.violations.length;
      failing.push(r.seed);
      say(`  seed ${r.seed}: ${r.violations[0] ?? ''}\n    replay: ${replayCommand(r.seed, { steps })}`);
    }
    if ((r.seed - from + 1) % 100 === 0) say(`  ${r.seed - from + 1}/${count} seeds, ${failing.length} failing`);
  };
  // children finish out of order: each result waits for the seeds before it
  const arrived = (r: SeedResult): void => {
    waiting.set(r.seed, r);
    for (let w = waiting.get(next); w !== undefined; w = waiting.get(next)) {
      waiting.delete(next++);
      take(w);
    }
  };
  const t0 = Date.now();
  if (jobs > 1) await runInChildren({ from, count, steps, jobs }, arrived);
  else for (let seed = from; seed < from + count; seed++) arrived(toSeedResult(await runSeed(seed, { steps })));
  const seconds = (Date.now() - t0) / 1000;
  rows.push({ what: `fault runs: seeds ${from}–${from + count - 1}, ${steps} steps each (${seconds.toFixed(0)} s, ${((seconds / count) * 1000).toFixed(0)} ms a run)`, measured: `${failing.length} failing, ${violations} violations`, target: '0', pass: failing.length === 0 });
  rows.push({ what: 'domUs left in an ALARM for a person (an ambiguous migration ending, never guessed)', measured: String(alarms), target: '(info)', pass: true });
  rows.push({ what: 'steps run, by kind', measured: Object.entries(faults).sort().map(([k, n]) => `${k} ${n}`).join(', '), target: '(info)', pass: true });
};
