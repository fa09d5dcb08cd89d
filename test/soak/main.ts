// `npm run soak [-- --minutes N] [-- --seeds N --from N --steps N --jobs N] [-- --only soak-controller,soak-agent,faults]`:
// the built programs as real processes under a steady load for a long time (10 minutes each by
// default), judged on whether their memory and responsiveness stay flat; and randomized fault runs
// by the thousand (test/faults/, 1000 seeds of 25 steps by default). Prints one table like `npm
// run bench`; exits 1 when a figure is not flat or a fault run broke a promise. `--jobs N` runs the
// fault seeds in N child processes (one per core), with the same output and table.
//
// A section is one entry of SECTIONS (a function of the SoakContext, adding rows); an option
// is one entry of OPTIONS. More sections, with options of their own, are added the same way.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { printTable, say, type Row } from '../bench/table.js';
import { buildBundles } from '../playground/processes.js';
import { soakAgent } from './soak-agent.js';
import { soakController } from './soak-controller.js';
import { soakFaults } from './soak-faults.js';
import type { Section } from './section.js';

const SECTIONS: Record<string, Section> = {
  'soak-controller': soakController,
  'soak-agent': soakAgent,
  faults: soakFaults,
};

interface Options {
  minutes: number;
  only: string[];
  seeds: { count: number; from: number; steps: number; jobs: number };
}

const wholeNumber = (name: string, v: string, max: number, set: (n: number) => void): string | null => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > max) return `--${name} takes a whole number from 1 to ${max} (got ${JSON.stringify(v)})`;
  set(n);
  return null;
};

const OPTIONS: Record<string, (value: string, o: Options) => string | null> = {
  minutes: (v, o) => {
    const n = Number(v);
    if (!(n > 0 && n <= 24 * 60)) return `--minutes takes a number of minutes above 0 (got ${JSON.stringify(v)})`;
    o.minutes = n;
    return null;
  },
  seeds: (v, o) => wholeNumber('seeds', v, 1_000_000, (n) => (o.seeds.count = n)),
  from: (v, o) => wholeNumber('from', v, 2 ** 31, (n) => (o.seeds.from = n)),
  steps: (v, o) => wholeNumber('steps', v, 1_000, (n) => (o.seeds.steps = n)),
  jobs: (v, o) => wholeNumber('jobs', v, 64, (n) => (o.seeds.jobs = n)),
  only: (v, o) => {
    const list = v.split(',').filter((s) => s !== '');
    const bad = list.find((s) => !(s in SECTIONS));
    if (bad !== undefined || list.length === 0) return `--only takes a comma-separated list of ${Object.keys(SECTIONS).join(', ')}; ${JSON.stringify(bad ?? v)} is not one`;
    o.only = list;
    return null;
  },
};

function parseArgs(argv: readonly string[]): Options | string {
  const o: Options = { minutes: 10, only: Object.keys(SECTIONS), seeds: { count: 1000, from: 100_000, steps: 25, jobs: 1 } };
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[i] as string);
    const set = m ? OPTIONS[m[1] as string] : undefined;
    if (!m || !set) return `unknown argument ${JSON.stringify(argv[i])}; usage: npm run soak [-- --minutes N] [-- --seeds N --from N --steps N --jobs N] [-- --only ${Object.keys(SECTIONS).join(',')}]`;
    const value = m[2] ?? argv[++i];
    if (value === undefined) return `--${m[1] as string} needs a value`;
    const problem = set(value, o);
    if (problem !== null) return problem;
  }
  return o;
}

async function main(): Promise<number> {
  const o = parseArgs(process.argv.slice(2));
  if (typeof o === 'string') {
    process.stderr.write(`soak: ${o}\n`);
    return 64;
  }
  const dir = mkdtempSync(join(tmpdir(), 'xenherd-soak-'));
  const rows: Row[] = [];
  try {
    const bundles = await buildBundles(join(dir, 'bin'));
    for (const name of o.only) {
      const t0 = Date.now();
      await (SECTIONS[name] as Section)({ bundles, dir, minutes: o.minutes, rows, seeds: o.seeds });
      say(`${name}: done in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  printTable(rows);
  return rows.every((r) => r.pass) ? 0 : 1;
}

main().then(
  (code) => (process.exitCode = code),
  (e: unknown) => {
    process.stderr.write(`soak failed: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exitCode = 2;
  },
);
