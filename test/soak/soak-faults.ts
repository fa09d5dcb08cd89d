// Randomized whole-fleet fault runs by the thousand (test/faults/): every seed's promises checked,
// each failing seed printed with the command that replays it.
import { replayCommand, runSeed } from '../faults/run-seed.js';
import { say } from '../bench/table.js';
import type { Section } from './section.js';

export const soakFaults: Section = async ({ rows, seeds }) => {
  const { count, from, steps } = seeds;
  say(`faults: ${count} seeds from ${from}, ${steps} steps each`);
  const faults: Record<string, number> = {};
  const failing: number[] = [];
  let alarms = 0;
  let violations = 0;
  const t0 = Date.now();
  for (let seed = from; seed < from + count; seed++) {
    const r = await runSeed(seed, { steps });
    for (const [k, n] of Object.entries(r.faults)) faults[k] = (faults[k] ?? 0) + n;
    alarms += r.alarms;
    if (r.violations.length > 0) {
      violations += r.violations.length;
      failing.push(seed);
      say(`  seed ${seed}: ${r.violations[0] ?? ''}\n    replay: ${replayCommand(seed, { steps })}`);
    }
    if ((seed - from + 1) % 100 === 0) say(`  ${seed - from + 1}/${count} seeds, ${failing.length} failing`);
  }
  const seconds = (Date.now() - t0) / 1000;
  rows.push({ what: `fault runs: seeds ${from}–${from + count - 1}, ${steps} steps each (${seconds.toFixed(0)} s, ${((seconds / count) * 1000).toFixed(0)} ms a run)`, measured: `${failing.length} failing, ${violations} violations`, target: '0', pass: failing.length === 0 });
  rows.push({ what: 'domUs left in an ALARM for a person (an ambiguous migration ending, never guessed)', measured: String(alarms), target: '(info)', pass: true });
  rows.push({ what: 'steps run, by kind', measured: Object.entries(faults).sort().map(([k, n]) => `${k} ${n}`).join(', '), target: '(info)', pass: true });
};
