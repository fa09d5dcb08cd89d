// `npm run bench [-- --quick] [-- --only agent,controller,where,drain,plan,storm]`: the performance targets, measured
// with the built single-file programs as real processes. Prints one table: what, measured,
// target, pass/fail; exits 1 when a target is missed. XENHERD_BENCH_AGENT=FILE measures that agent
// bundle instead of this tree's (an older build, side by side on the same machine and simulator).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBundles } from '../playground/processes.js';
import { agentBench } from './agent-bench.js';
import { controllerBench } from './controller-bench.js';
import { drainBench } from './drain-bench.js';
import { planBench } from './plan-bench.js';
import { printTable, type Row } from './table.js';
import { stormBench } from './storm-bench.js';
import { whereBench } from './where-bench.js';

const SECTIONS = ['agent', 'controller', 'where', 'drain', 'plan', 'storm'] as const;
type Section = (typeof SECTIONS)[number];

function parseArgs(argv: readonly string[]): { quick: boolean; only: Set<Section> } | string {
  let quick = false;
  let only = new Set<Section>(SECTIONS);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--quick') quick = true;
    else if (a === '--only') {
      const list = (argv[++i] ?? '').split(',');
      const bad = list.find((s) => !(SECTIONS as readonly string[]).includes(s));
      if (bad !== undefined) return `--only takes a comma-separated list of ${SECTIONS.join(', ')}; ${JSON.stringify(bad)} is not one`;
      only = new Set(list as Section[]);
    } else return `unknown argument ${JSON.stringify(a)}; usage: npm run bench [-- --quick] [-- --only ${SECTIONS.join(',')}]`;
  }
  return { quick, only };
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (typeof args === 'string') {
    process.stderr.write(`bench: ${args}\n`);
    return 64;
  }
  const dir = mkdtempSync(join(tmpdir(), 'xenherd-bench-'));
  const rows: Row[] = [];
  try {
    const bundles = await buildBundles(join(dir, 'bin'));
    if (args.only.has('agent')) await agentBench(process.env['XENHERD_BENCH_AGENT'] ?? bundles.agent, dir, args.quick, rows);
    if (args.only.has('controller')) await controllerBench(bundles.controller, dir, args.quick, rows);
    if (args.only.has('where')) await whereBench(bundles, dir, args.quick, rows);
    if (args.only.has('drain')) await drainBench(rows);
    if (args.only.has('plan')) planBench(rows);
    if (args.only.has('storm')) await stormBench(bundles.controller, dir, args.quick, rows);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  printTable(rows);
  return rows.every((r) => r.pass) ? 0 : 1;
}

main().then(
  (code) => (process.exitCode = code),
  (e: unknown) => {
    process.stderr.write(`bench failed: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exitCode = 2;
  },
);
