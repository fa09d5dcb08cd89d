// How often this machine takes the CPU away from a process that wants it, with nothing of ours
// running: a latency percentile cannot be smaller than the pauses a request may fall into. On a
// virtual machine the hypervisor and the other tenants take it; on bare metal, the kernel's own
// work. Measured in a process of its own, so this benchmark's event loop and GC are not in it.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';

/** Reads the clock in a loop for argv[2] ms; every gap between two reads is time it did not run. */
const BUSY_LOOP = `'use strict';
const { performance } = require('node:perf_hooks');
const ms = Number(process.argv[2]);
const start = performance.now();
let last = start, over1 = 0, over2 = 0, longest = 0, lost = 0;
for (;;) {
  const t = performance.now();
  const gap = t - last;
  if (gap > 1) { over1++; lost += gap; }
  if (gap > 2) over2++;
  if (gap > longest) longest = gap;
  last = t;
  if (t - start >= ms) break;
}
process.stdout.write(JSON.stringify({ seconds: (last - start) / 1000, over1, over2, longestMs: longest, lostMs: lost }) + '\\n');
`;

const PausesSchema = z.object({ seconds: z.number().positive(), over1: z.number().int(), over2: z.number().int(), longestMs: z.number(), lostMs: z.number() });

export type MachinePauses = z.infer<typeof PausesSchema>;

/** A busy loop of MS ms in its own Node process (its script written into DIR): the pauses it saw. */
export async function machinePauses(dir: string, ms: number): Promise<MachinePauses> {
  const file = join(dir, 'busy-loop.cjs');
  writeFileSync(file, BUSY_LOOP);
  const child = spawn(process.execPath, [file, String(ms)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((r) => child.once('close', r));
  if (code !== 0) throw new Error(`the busy loop ended with exit ${String(code)}`);
  return PausesSchema.parse(JSON.parse(out));
}

/** "N > 2 ms and M > 1 ms a second, longest L ms, X % of the time" */
export function pausesText(p: MachinePauses): string {
  const perSecond = (n: number): string => (n / p.seconds).toFixed(1);
  return `${perSecond(p.over2)} / ${perSecond(p.over1)} a s, ${p.longestMs.toFixed(1)} ms, ${((p.lostMs / (p.seconds * 1000)) * 100).toFixed(1)} %`;
}
