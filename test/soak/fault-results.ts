// What the faults section keeps of one seed's run, and the child processes that run seeds in
// parallel (`--jobs N`): each child runs every Nth seed and prints one JSON line per seed, read
// here with a schema (a child is another process: its lines are input like any other).
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import * as z from 'zod';
import type { SeedRun } from '../faults/run-seed.js';

export const SeedResultSchema = z.strictObject({
  seed: z.number().int(),
  violations: z.array(z.string()),
  faults: z.record(z.string(), z.number().int().nonnegative()),
  alarms: z.number().int().nonnegative(),
});
export type SeedResult = z.infer<typeof SeedResultSchema>;

export const toSeedResult = (r: SeedRun): SeedResult => ({ seed: r.seed, violations: r.violations, faults: r.faults, alarms: r.alarms });

/**
 * Runs seeds FROM..FROM+COUNT-1 in JOBS child processes (child i takes every JOBS-th seed from
 * FROM+i); each result goes to onResult as it arrives. Rejects, naming the child, when one exits
 * before reporting all its seeds or prints a line that is not a result.
 */
export async function runInChildren(o: { readonly from: number; readonly count: number; readonly steps: number; readonly jobs: number }, onResult: (r: SeedResult) => void): Promise<void> {
  const children = Array.from({ length: Math.min(o.jobs, o.count) }, (_, i) => i);
  await Promise.all(children.map((i) => runChild(o, i, children.length, onResult)));
}

function runChild(o: { readonly from: number; readonly count: number; readonly steps: number }, index: number, stride: number, onResult: (r: SeedResult) => void): Promise<void> {
  const expected = Math.ceil((o.count - index) / stride);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['packaging/run-ts.mjs', 'test/soak/faults-worker.ts', ...[o.from, o.count, o.steps, index, stride].map(String)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let got = 0;
    let stderr = '';
    let bad: string | null = null;
    child.stderr.on('data', (b: Buffer) => void (stderr = (stderr + b.toString()).slice(-4000)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      let raw: unknown = null;
      try {
        raw = JSON.parse(line);
      } catch {
        // kept as not a result below
      }
      const r = SeedResultSchema.safeParse(raw);
      if (!r.success) {
        bad ??= line.slice(0, 300);
        child.kill();
        return;
      }
      got++;
      onResult(r.data);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (bad !== null) return reject(new Error(`fault worker ${index + 1}/${stride} printed a line that is not a seed result: ${JSON.stringify(bad)}`));
      if (code === 0 && got === expected) return resolve();
      reject(new Error(`fault worker ${index + 1}/${stride} exited with code ${String(code)} after ${got} of its ${expected} seeds:\n${stderr}`));
    });
  });
}
