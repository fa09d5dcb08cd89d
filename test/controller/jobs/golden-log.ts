import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expect } from 'vitest';
import type { LogLine } from '../../harness/memory-log.js';
import { T0 } from './jobs-bed.js';

const DIR = new URL('./golden/', import.meta.url).pathname;
const LEVEL: Record<number, string> = { 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };

/** The controllers' log of a scenario as a person reads it: simulated time, controller, level, message. */
export function renderLog(lines: readonly LogLine[]): string {
  return lines
    .filter((l) => l.level >= 30)
    .map((l) => `+${((l.time - T0) / 1000).toFixed(3).padStart(8)} s  ${String(l['ctl'] ?? '-').padEnd(5)}  ${(LEVEL[l.level] ?? String(l.level)).padEnd(5)}  ${l.msg}`)
    .join('\n')
    .concat('\n');
}

/**
 * Compares a scenario's log with test/controller/jobs/golden/NAME.golden (the deterministic clock
 * makes it the same on every run). A missing file is written and the test fails, so a new golden
 * log is always read by a person before it is committed; XENHERD_GOLDEN=update rewrites them all.
 */
export function expectGoldenLog(name: string, lines: readonly LogLine[]): void {
  const file = join(DIR, `${name}.golden`);
  const text = renderLog(lines);
  if (!existsSync(file) || process.env['XENHERD_GOLDEN'] === 'update') {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    if (process.env['XENHERD_GOLDEN'] !== 'update') throw new Error(`${file} did not exist: written now; read it, then commit it`);
    return;
  }
  expect(text, `golden log ${file} (XENHERD_GOLDEN=update rewrites it)`).toBe(readFileSync(file, 'utf8'));
}
