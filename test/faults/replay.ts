// Replays one fault run and prints its trace: `node packaging/run-ts.mjs test/faults/replay.ts SEED
// [--steps N] [--hosts N] [--tools]` (--tools: every tool the agents run, where the domUs are, and
// the controller's alerts, too).
import { runSeed } from './run-seed.js';

const args = process.argv.slice(2);
const seed = Number(args[0]);
const opt = (name: string): number | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : undefined;
};
if (!Number.isInteger(seed)) {
  process.stderr.write('usage: node packaging/run-ts.mjs test/faults/replay.ts SEED [--steps N] [--hosts N] [--tools]\n');
  process.exit(64);
}
const steps = opt('--steps');
const hosts = opt('--hosts');
const r = await runSeed(seed, { ...(steps ? { steps } : {}), ...(hosts ? { hosts } : {}), traceTools: args.includes('--tools') });
process.stdout.write(`${r.trace.join('\n')}\n\nseed ${seed}: ${r.steps} steps, ${r.violations.length} violation(s)\n${r.violations.map((v) => `  ${v}`).join('\n')}\n`);
process.exitCode = r.violations.length > 0 ? 1 : 0;
